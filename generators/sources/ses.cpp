// Amazon SES receiving: the header list agrees with commonHeaders, recipients are among the destinations, the
// receipt follows the mail timestamp, dmarcPolicy appears only when DMARC fails, the action names this function.
#include <cctype>
#include <utility>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

constexpr std::string_view kLower = "abcdefghijklmnopqrstuvwxyz";

// RFC 5322 date as mail clients write it ("Wed, 1 Jan 2026 00:00:00 +0000").
std::string mail_date(int64_t epoch_ms) {
  std::string d = rfc1123(epoch_ms);  // "Wed, 01 Jan 2026 00:00:00 GMT"
  if (d.size() > 5 && d[5] == '0') d.erase(5, 1);
  if (d.size() > 4 && d.compare(d.size() - 4, 4, " GMT") == 0) d.replace(d.size() - 4, 4, " +0000");
  return d;
}

// The verdict status at `pointer` (e.g. "/ses/receipt/dmarcVerdict/status"), or "".
std::string status(const Json& r, std::string_view pointer) {
  const Json* v = find_at(r, pointer);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

std::string join(const Json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& v : list) {
    if (!v.is_string()) continue;
    if (!out.empty()) out += ", ";
    out += v.get<std::string>();
  }
  return out;
}

void finalize_record(Json& r, Rng& rng, GenContext& ctx) {
  Json* mail = find_at(r, "/ses/mail");
  Json* receipt = find_at(r, "/ses/receipt");
  if (!mail || !mail->is_object() || !receipt || !receipt->is_object()) return;
  // Most mail passes the checks; the drawn statuses (FAIL, GRAY, ...) stay for one verdict in seven.
  for (const char* v : {"spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict"})
    if (Json* vd = find_at(*receipt, std::string("/") + v); vd && vd->is_object() && rng.chance(0.85))
      (*vd)["status"] = "PASS";
  static const char* kSenders[] = {"Jane Doe", "Billing", "Support Team", "Amazon Web Services", "John Smith"};
  std::string domain = ctx.name + ".example.com";
  std::string sender = rng.chars(6, kLower) + "@example.org";
  std::string display = std::string(kSenders[rng.below(5)]) + " <" + sender + ">";

  // Recipients: addresses of the receiving domain; the receipt lists those the rule matched.
  Json destination = Json::array();
  int64_t n = rng.range(1, 3);
  for (int64_t i = 0; i < n; ++i) destination.push_back(rng.chars(5, kLower) + "@" + domain);
  Json recipients = Json::array();
  recipients.push_back(destination[0]);
  for (std::size_t i = 1; i < destination.size(); ++i)
    if (rng.chance(0.5)) recipients.push_back(destination[i]);

  int64_t sent = ctx.now_ms - rng.range(500, 5000);
  int64_t received = sent + rng.range(0, 800);
  std::string subject = str((*mail)["commonHeaders"], "subject");
  std::string message_id =
      "<" + rng.chars(24, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") + "@mail.example.org>";
  std::string content_type = rng.chance(0.5) ? "text/plain; charset=UTF-8"
                                             : "multipart/alternative; boundary=" + rng.chars(28, "0123456789abcdef");

  (*mail)["timestamp"] = iso8601(received, true);
  (*mail)["source"] = sender;
  (*mail)["destination"] = destination;
  Json common = {{"returnPath", sender}, {"from", Json::array({display})}, {"date", mail_date(sent)},
                 {"to", destination},    {"messageId", message_id},        {"subject", subject}};
  const Json& old = (*mail)["commonHeaders"];
  for (const char* k : {"cc", "bcc", "sender", "replyTo"})
    if (old.is_object() && old.contains(k)) common[k] = Json::array({sender});
  (*mail)["commonHeaders"] = common;

  Json headers = Json::array();
  auto add = [&](const char* name, const std::string& value) { headers.push_back({{"name", name}, {"value", value}}); };
  add("Return-Path", "<" + sender + ">");
  add("Received", "from mail.example.org (mail.example.org [" +
                      find_format("ipv4")->generate(rng, ctx).get<std::string>() + "]) by inbound-smtp." + ctx.region +
                      ".amazonaws.com with SMTP id " + str(*mail, "messageId") + " for " +
                      destination[0].get<std::string>() + "; " + mail_date(received));
  if (status(r, "/ses/receipt/dkimVerdict/status") != "GRAY")
    add("DKIM-Signature",
        "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=mail; h=from:date:message-id:subject:to; bh=" +
            codec::base64_encode(rng.chars(32, kLower)) + "; b=" + codec::base64_encode(rng.chars(96, kLower)));
  add("MIME-Version", "1.0");
  add("From", display);
  add("Date", mail_date(sent));
  add("Message-ID", message_id);
  add("Subject", subject);
  add("To", join(destination));
  add("Content-Type", content_type);
  (*mail)["headers"] = headers;
  (*mail)["headersTruncated"] = false;

  (*receipt)["timestamp"] = iso8601(received, true);
  (*receipt)["recipients"] = recipients;
  (*receipt)["processingTimeMillis"] = rng.range(80, 2500);
  // dmarcPolicy only appears when the message fails DMARC (SES notification contents).
  if (status(r, "/ses/receipt/dmarcVerdict/status") == "FAIL") {
    if (!receipt->contains("dmarcPolicy")) (*receipt)["dmarcPolicy"] = "quarantine";
  } else {
    receipt->erase("dmarcPolicy");
  }
  Json& action = (*receipt)["action"];
  if (action.is_object()) {
    action["functionArn"] = "arn:aws:lambda:" + ctx.region + ":" + ctx.account + ":function:" + ctx.function;
    if (rng.chance(0.8)) action["invocationType"] = "Event";  // the console default
  }
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  Json* records = array_at(event, "/Records");
  if (!records) return;
  for (auto& r : *records)
    if (r.is_object()) finalize_record(r, rng, ctx);
}

// The value of the first header named `name` (case-insensitive), or nullptr.
const Json* header(const Json& headers, std::string_view name) {
  if (!headers.is_array()) return nullptr;
  for (const auto& h : headers) {
    std::string n = str(h, "name");
    if (n.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < n.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(n[i])) == std::tolower(static_cast<unsigned char>(name[i]));
    const Json* v = same ? find_at(h, "/value") : nullptr;
    if (v && v->is_string()) return v;
  }
  return nullptr;
}

void check(const Json& event, std::vector<Problem>& out) {
  const Json* records = array_at(event, "/Records");
  if (!records) return;
  for (std::size_t i = 0; i < records->size(); ++i) {
    const Json& r = (*records)[i];
    std::string at = "/Records/" + std::to_string(i) + "/ses";
    const Json* mail = find_at(r, "/ses/mail");
    const Json* receipt = find_at(r, "/ses/receipt");
    if (!mail || !mail->is_object() || !receipt || !receipt->is_object()) continue;
    const Json* truncated = find_at(*mail, "/headersTruncated");
    const Json* headers = find_at(*mail, "/headers");
    const Json* common = find_at(*mail, "/commonHeaders");
    if (headers && common && common->is_object() && !(truncated && truncated->is_boolean() && truncated->get<bool>())) {
      for (auto [hname, cname] : {std::pair{"Subject", "subject"}, std::pair{"Message-ID", "messageId"}}) {
        const Json* h = header(*headers, hname);
        const Json* c = find_at(*common, std::string("/") + cname);
        if (h && c && c->is_string() && *h != *c)
          report(out, at + "/mail/commonHeaders/" + cname, std::string("differs from the ") + hname + " header");
      }
    }
    const Json* dest = find_at(*mail, "/destination");
    const Json* rcpt = find_at(*receipt, "/recipients");
    if (dest && dest->is_array() && rcpt && rcpt->is_array()) {
      for (std::size_t k = 0; k < rcpt->size(); ++k) {
        bool found = false;
        for (const auto& d : *dest) found = found || d == (*rcpt)[k];
        if (!found) report(out, at + "/receipt/recipients/" + std::to_string(k), "is not among mail.destination");
      }
    }
    std::string mt = str(*mail, "timestamp"), rt = str(*receipt, "timestamp");
    if (mt.size() == rt.size() && !mt.empty() && rt < mt)
      report(out, at + "/receipt/timestamp", "is before mail.timestamp");
    const Json* dmarc = find_at(*receipt, "/dmarcVerdict/status");
    if (receipt->contains("dmarcPolicy") && dmarc && dmarc->is_string() && *dmarc != "FAIL")
      report(out, at + "/receipt/dmarcPolicy",
             "present although DMARC did not fail (dmarcVerdict " + dmarc->get<std::string>() + ")");
  }
}

}  // namespace

SourceHooks ses_hooks() { return {finalize, check}; }

}  // namespace evh::sources
