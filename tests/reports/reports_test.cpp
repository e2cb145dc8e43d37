// Report writers end to end: real `evh run`s write their report directories, write_reports()
// renders every format from them, and standard tools judge the output — xmllint and tinyxml2 for
// JUnit, the OASIS SARIF 2.1.0 schema (python3-jsonschema) for SARIF, headless Chromium for HTML.
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "generators/json.h"
#include "reports/html.h"
#include "reports/junit.h"
#include "reports/markdown.h"
#include "reports/report_format.h"
#include "reports/sarif.h"
#include "reports/writer.h"
#include "tests/util/run_command.h"

namespace evh::reports {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::run_command;
using testing::write_file;

/// Every subprocess of these tests is bounded by `timeout 60` (run_command adds it).
constexpr int kTimeoutS = 60;
/// Where the HTML screenshot is left for people to look at.
constexpr const char* kScreenshot = "/tmp/evh-report.png";

std::string sarif_schema_path() { return std::string(EVH_SOURCE_DIR) + "/tests/data/sarif-schema-2.1.0.json"; }

/// One `evh run` whose report directory has been completed with write_reports(dir, ..., "all").
struct RunDir {
  std::string dir;
  Json result;
  int exit_code = -1;
};

/// This process's report directories; removed at exit unless EVH_KEEP_REPORTS is set (to look at them).
fs::path reports_root() {
  static const fs::path kRoot = [] {
    fs::path root = fs::temp_directory_path() / ("evh-reports-test-" + std::to_string(::getpid()));
    static const struct Cleanup {
      fs::path dir;
      ~Cleanup() {
        std::error_code ec;
        if (std::getenv("EVH_KEEP_REPORTS") == nullptr) fs::remove_all(dir, ec);
      }
    } kCleanup{root};
    return root;
  }();
  return kRoot;
}

RunDir evh_run(const std::string& name, const std::string& args) {
  RunDir r;
  r.dir = (reports_root() / name).string();
  fs::remove_all(r.dir);
  fs::create_directories(r.dir);
  auto cmd = run_command(testing::evh_binary() + " run " + args + " --report-dir '" + r.dir + "'", "", kTimeoutS);
  r.exit_code = cmd.exit_code;
  EXPECT_TRUE(cmd.exit_code == 0 || cmd.exit_code == 1) << cmd.err;
  auto j = parse_json(read_text(r.dir + "/result.json"), r.dir + "/result.json");
  EXPECT_TRUE(j.ok()) << (j.ok() ? "" : j.error().message);
  if (j) r.result = std::move(*j);
  auto st = write_reports(r.dir, r.result, "all");
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  return r;
}

/// The four runs every test reads: findings (sync), a pass (sync), poll and async.
const std::map<std::string, RunDir>& runs() {
  static const std::map<std::string, RunDir> kRuns = [] {
    std::map<std::string, RunDir> m;
    m["findings"] = evh_run("fail", "--source apigw-rest --mode sync --target builtin:apigw-string-status --cases 5 --seed 1");
    m["pass"] = evh_run("pass", "--source apigw-rest --mode sync --target builtin:apigw-echo --cases 5 --seed 1");
    m["poll"] = evh_run("poll", "--source sqs --target builtin:sqs-partial --cases 5 --seed 1 --faults duplicate-delivery=0.5");
    m["async"] = evh_run("async", "--source s3 --mode async --target builtin:noop --cases 5 --seed 1");
    return m;
  }();
  return kRuns;
}

const RunDir& findings_run() {
  const RunDir& r = runs().at("findings");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(r.result["findings"].empty()) << "the buggy handler must produce findings";
  return r;
}

std::size_t count_status(const Json& result, const std::string& status) {
  std::size_t n = 0;
  for (const auto& v : result["invariants"]) n += v["status"] == status;
  return n;
}

// ---------------------------------------------------------------- JUnit

TEST(JUnitReport, ParsesWithXmllint) {
  for (const auto& [name, r] : runs()) {
    auto x = run_command("xmllint --noout '" + r.dir + "/junit.xml'", "", kTimeoutS);
    EXPECT_EQ(x.exit_code, 0) << name << ": " << x.err;
  }
}

TEST(JUnitReport, CountsMatchTheResult) {
  for (const auto& [name, r] : runs()) {
    SCOPED_TRACE(name);
    tinyxml2::XMLDocument doc;
    ASSERT_EQ(doc.LoadFile((r.dir + "/junit.xml").c_str()), tinyxml2::XML_SUCCESS) << doc.ErrorStr();
    const auto* suites = doc.FirstChildElement("testsuites");
    ASSERT_NE(suites, nullptr);
    const std::size_t tests = r.result["invariants"].size();
    EXPECT_EQ(suites->UnsignedAttribute("tests"), tests);
    EXPECT_EQ(suites->UnsignedAttribute("failures"), count_status(r.result, "violated"));
    EXPECT_EQ(suites->UnsignedAttribute("skipped"), count_status(r.result, "not-exercised"));

    const auto* suite = suites->FirstChildElement("testsuite");
    ASSERT_NE(suite, nullptr);
    EXPECT_EQ(suite->NextSiblingElement("testsuite"), nullptr) << "one suite per source x mode";
    const std::string source = r.result["source"], mode = r.result["mode"];
    EXPECT_EQ(std::string(suite->Attribute("name")), source + " " + mode);
    EXPECT_EQ(suite->UnsignedAttribute("tests"), tests);
    EXPECT_EQ(suite->UnsignedAttribute("failures"), count_status(r.result, "violated"));
    EXPECT_EQ(suite->UnsignedAttribute("skipped"), count_status(r.result, "not-exercised"));

    std::size_t i = 0, failures = 0, skipped = 0;
    for (const auto* tc = suite->FirstChildElement("testcase"); tc; tc = tc->NextSiblingElement("testcase"), ++i) {
      ASSERT_LT(i, tests);
      const Json& v = r.result["invariants"][i];
      EXPECT_EQ(std::string(tc->Attribute("classname")), source + "." + mode);
      EXPECT_EQ(std::string(tc->Attribute("name")), v["id"].get<std::string>());
      const auto* failure = tc->FirstChildElement("failure");
      const auto* skip = tc->FirstChildElement("skipped");
      failures += failure != nullptr;
      skipped += skip != nullptr;
      EXPECT_EQ(failure != nullptr, v["status"] == "violated") << v.dump();
      EXPECT_EQ(skip != nullptr, v["status"] == "not-exercised") << v.dump();
      if (failure == nullptr) continue;
      const std::string body = failure->GetText() ? failure->GetText() : "";
      for (const auto& f : r.result["findings"]) {
        if (f["invariant"] != v["id"]) continue;
        EXPECT_NE(body.find(f["message"].get<std::string>()), std::string::npos) << body;
        EXPECT_NE(body.find("evh replay " + f["file"].get<std::string>()), std::string::npos) << body;
        EXPECT_NE(body.find("case " + f["case"].dump()), std::string::npos) << body;
      }
      EXPECT_NE(std::string(failure->Attribute("message")).find(r.result["findings"][0]["message"].get<std::string>()),
                std::string::npos);
    }
    EXPECT_EQ(i, tests);
    EXPECT_EQ(failures, count_status(r.result, "violated"));
    EXPECT_EQ(skipped, count_status(r.result, "not-exercised"));
  }
}

Json hostile_result() {
  // Everything a handler or event can put into a message: markup, quotes, control characters,
  // malformed UTF-8 and the CDATA terminator.
  const std::string nasty = std::string("bad \x01\x02\x1b[31m <script>alert(1)</script> & \"q\" 'a' ]]> ") + "\xff\xfe" +
                            " \xef\xbf\xbf end";
  Json r{{"evh", "0.1.0"},    {"source", "sqs"}, {"mode", "poll"},        {"target", "exec:'x <y>'"},
         {"seed", 18446744073709551615ULL}, {"verdict", "fail"}, {"statistics", {{"casesRequested", 1}, {"casesRun", 1}, {"findings", 1}}},
         {"faults", Json::array()}};
  r["invariants"] = Json::array({{{"id", "contract.response"}, {"status", "violated"}, {"exercised", 1}, {"findings", 1}},
                                 {{"id", "robust.no-hang"}, {"status", "not-exercised"}, {"exercised", 0}, {"findings", 0}}});
  // nlohmann keeps the raw bytes; dump() with replace is what the writers use.
  r["findings"] = Json::array({{{"invariant", "contract.response"},
                                {"message", nasty},
                                {"case", 0},
                                {"seed", 7},
                                {"mutations", Json::array({"body.empty"})},
                                {"file", "out dir/findings/contract.response/abc.json"}}});
  return r;
}

TEST(JUnitReport, EscapesMarkupAndControlCharacters) {
  const std::string xml = render_junit(hostile_result());
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_EQ(xml.find("<script>"), std::string::npos);
  const std::string path = testing::temp_dir() + "/junit.xml";
  write_file(path, xml);
  auto x = run_command("xmllint --noout '" + path + "'", "", kTimeoutS);
  EXPECT_EQ(x.exit_code, 0) << x.err << "\n" << xml;
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(xml.c_str()), tinyxml2::XML_SUCCESS) << doc.ErrorStr();
  const auto* failure = doc.FirstChildElement("testsuites")->FirstChildElement("testsuite")->FirstChildElement("testcase")->FirstChildElement("failure");
  ASSERT_NE(failure, nullptr);
  const std::string body = failure->GetText();
  EXPECT_NE(body.find("<script>alert(1)</script> & \"q\" 'a' ]]>"), std::string::npos) << body;
  EXPECT_NE(body.find("\\u0001"), std::string::npos) << "control characters are made visible";
  EXPECT_NE(body.find("evh replay 'out dir/findings/contract.response/abc.json'"), std::string::npos) << body;
}

// ---------------------------------------------------------------- SARIF

/// Validates `sarif_file` against the OASIS schema with python3-jsonschema; returns the
/// validator's exit code (0 valid) and its output.
testing::CommandResult validate_sarif(const std::string& sarif_file) {
  const std::string script = testing::temp_dir() + "/validate_sarif.py";
  write_file(script,
             "import json, sys\n"
             "import jsonschema\n"
             "schema = json.load(open(sys.argv[1], encoding='utf-8'))\n"
             "log = json.load(open(sys.argv[2], encoding='utf-8'))\n"
             "cls = jsonschema.validators.validator_for(schema)\n"
             "cls.check_schema(schema)\n"
             "errors = sorted(cls(schema).iter_errors(log), key=lambda e: list(e.absolute_path))\n"
             "for e in errors: print('/'.join(map(str, e.absolute_path)) + ': ' + e.message[:300])\n"
             "sys.exit(1 if errors else 0)\n");
  return run_command("python3 '" + script + "' '" + sarif_schema_path() + "' '" + sarif_file + "'", "", kTimeoutS);
}

TEST(SarifReport, ValidatesAgainstTheOasisSchema) {
  for (const auto& [name, r] : runs()) {
    auto v = validate_sarif(r.dir + "/result.sarif");
    EXPECT_EQ(v.exit_code, 0) << name << ":\n" << v.out << v.err;
  }
  const std::string path = testing::temp_dir() + "/hostile.sarif";
  write_file(path, render_sarif(hostile_result()));
  auto v = validate_sarif(path);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

TEST(SarifReport, SchemaCheckRejectsAnInvalidLog) {
  // The negative control: the same validation must fail when the log breaks the schema, or the
  // positive test above proves nothing.
  Json log = sarif_log(findings_run().result);
  log["runs"][0]["results"][0]["level"] = "fatal";              // not in the level enum
  log["runs"][0]["tool"]["driver"].erase("name");               // driver.name is required
  const std::string path = testing::temp_dir() + "/invalid.sarif";
  write_file(path, log.dump(2));
  auto v = validate_sarif(path);
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  EXPECT_NE(v.out.find("level"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("'name' is a required property"), std::string::npos) << v.out;
}

TEST(SarifReport, OneRulePerInvariantAndOneResultPerFinding) {
  for (const auto& [name, r] : runs()) {
    SCOPED_TRACE(name);
    auto log = parse_json(read_text(r.dir + "/result.sarif"), "result.sarif");
    ASSERT_TRUE(log.ok());
    EXPECT_EQ((*log)["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
    EXPECT_EQ((*log)["version"], "2.1.0");
    ASSERT_EQ((*log)["runs"].size(), 1u);
    const Json& run = (*log)["runs"][0];
    EXPECT_EQ(run["tool"]["driver"]["name"], "evh");
    const Json& rules = run["tool"]["driver"]["rules"];
    ASSERT_EQ(rules.size(), r.result["invariants"].size());
    for (std::size_t i = 0; i < rules.size(); ++i) {
      EXPECT_EQ(rules[i]["id"], r.result["invariants"][i]["id"]);
      EXPECT_FALSE(rules[i]["shortDescription"]["text"].get<std::string>().empty());
      EXPECT_NE(rules[i]["shortDescription"]["text"], rules[i]["id"]) << "the summary, not the id again";
    }
    const Json& results = run["results"];
    ASSERT_EQ(results.size(), r.result["findings"].size());
    for (std::size_t i = 0; i < results.size(); ++i) {
      const Json& f = r.result["findings"][i];
      EXPECT_EQ(results[i]["ruleId"], f["invariant"]);
      EXPECT_EQ(results[i]["level"], "error");
      EXPECT_EQ(results[i]["message"]["text"], f["message"]);
      const std::string uri = results[i]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
      EXPECT_EQ(uri.rfind("findings/" + f["invariant"].get<std::string>() + "/", 0), 0u) << uri;
      EXPECT_TRUE(fs::exists(fs::path(r.dir) / uri)) << "relative to the report dir: " << uri;
      EXPECT_EQ(fs::canonical(fs::path(r.dir) / uri), fs::canonical(f["file"].get<std::string>()));
      EXPECT_EQ(results[i]["properties"]["seed"], f["seed"]);
      EXPECT_EQ(results[i]["properties"]["case"], f["case"]);
      EXPECT_EQ(results[i]["properties"]["replay"], "evh replay " + f["file"].get<std::string>());
    }
  }
}

// ---------------------------------------------------------------- HTML

/// Text as Chromium serialises a text node (--dump-dom): only &, < and > are escaped.
std::string dom_text(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : std::string(1, c);
  return out;
}

bool have_chromium() { return run_command("command -v chromium", "", kTimeoutS).exit_code == 0; }

TEST(HtmlReport, RendersInHeadlessChromium) {
  ASSERT_TRUE(have_chromium()) << "chromium is needed to render the HTML report: run scripts/install-deps.sh as root";
  const RunDir& r = findings_run();
  const std::string page = "file://" + r.dir + "/result.html";
  const std::string chromium = "chromium --headless --no-sandbox --disable-gpu --user-data-dir='" + testing::temp_dir() + "' ";
  auto dom = run_command(chromium + "--dump-dom '" + page + "'", "", kTimeoutS);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  const Json& f = r.result["findings"][0];
  const std::string message = dom_text(f["message"].get<std::string>());
  EXPECT_NE(dom.out.find("<code>" + f["invariant"].get<std::string>() + "</code>"), std::string::npos);
  EXPECT_NE(dom.out.find(message), std::string::npos) << "the finding's message";
  EXPECT_NE(dom.out.find("evh replay " + f["file"].get<std::string>()), std::string::npos) << "the replay line";
  EXPECT_NE(dom.out.find("Shrunk event"), std::string::npos);
  EXPECT_NE(dom.out.find("\"httpMethod\": "), std::string::npos) << "the event, pretty-printed and escaped";
  EXPECT_NE(dom.out.find("<td>invoke</td>"), std::string::npos) << "the timeline of the failing case";

  fs::remove(kScreenshot);
  auto shot = run_command(chromium + "--screenshot=" + kScreenshot + " --window-size=1280,2000 '" + page + "'", "", kTimeoutS);
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  const std::string png = read_text(kScreenshot);
  ASSERT_GT(png.size(), 8u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  std::cout << "[ screenshot ] " << kScreenshot << " (" << png.size() << " bytes) of " << page << "\n";
}

TEST(HtmlReport, IsSelfContainedAndEscapesEverything) {
  for (const auto& [name, r] : runs()) {
    const std::string html = read_text(r.dir + "/result.html");
    // Nothing is loaded: no attribute or CSS that fetches (URLs in events are text, escaped).
    for (const char* fetches : {"src=", "href=", "url(", "@import", "<script", "<iframe", "<img", "<object"})
      EXPECT_EQ(html.find(fetches), std::string::npos) << name << ": " << fetches;
    EXPECT_EQ(html.find("<link"), std::string::npos) << name;
    EXPECT_NE(html.find("<style>"), std::string::npos) << name;
  }
  const std::string html = render_html(hostile_result(), {Json{{"event", {{"body", "</pre><script>x()</script>"}}}}},
                                       {Json{{"t", 0}, {"action", "invoke<b>"}, {"case", 0}}});
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find('\x01'), std::string::npos);
  EXPECT_NE(html.find("&lt;/pre&gt;&lt;script&gt;x()&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("<td>invoke&lt;b&gt;</td>"), std::string::npos);
}

TEST(HtmlReport, ShowsCoverageOfMutatorsAndFaults) {
  const std::string html = read_text(runs().at("poll").dir + "/result.html");
  EXPECT_NE(html.find("<h3>Mutators</h3>"), std::string::npos);
  EXPECT_NE(html.find("<code>duplicate-delivery</code>"), std::string::npos) << "the fault plan";
  const std::string sync = read_text(findings_run().dir + "/result.html");
  for (const auto& m : findings_run().result["findings"][0]["mutations"])
    EXPECT_NE(sync.find("<code>" + m.get<std::string>() + "</code>"), std::string::npos) << m;
}

// ---------------------------------------------------------------- Markdown

TEST(MarkdownReport, ChecklistLinePerInvariantWithItsStatus) {
  for (const auto& [name, r] : runs()) {
    SCOPED_TRACE(name);
    const std::string md = read_text(r.dir + "/result.md");
    EXPECT_NE(md.find("**Verdict: " + std::string(r.result["verdict"] == "pass" ? "PASS" : "FAIL")), std::string::npos) << md;
    const std::string unit = r.result["mode"] == "poll" ? "batches" : "cases";
    for (const auto& v : r.result["invariants"]) {
      const std::string status = v["status"];
      const std::string mark = status == "held" ? "✔" : status == "violated" ? "✘" : "–";
      const std::string words = status == "not-exercised" ? "not exercised" : status;
      const std::string line = "- " + mark + " `" + v["id"].get<std::string>() + "` — " + words + " (" + v["exercised"].dump() +
                               " " + unit + " exercised, " + v["findings"].dump() + " findings)";
      EXPECT_NE(md.find(line), std::string::npos) << line << "\n" << md;
    }
  }
}

TEST(MarkdownReport, FindingsCarryTheirReplayLine) {
  const RunDir& r = findings_run();
  const std::string md = read_text(r.dir + "/result.md");
  for (const auto& f : r.result["findings"])
    EXPECT_NE(md.find("```sh\nevh replay " + f["file"].get<std::string>() + "\n```"), std::string::npos) << md;
  EXPECT_EQ(read_text(runs().at("pass").dir + "/result.md").find("evh replay"), std::string::npos);
  const std::string hostile = render_markdown(hostile_result());
  EXPECT_EQ(hostile.find("<script>"), std::string::npos);
  EXPECT_EQ(hostile.find('\x01'), std::string::npos);
}

// ---------------------------------------------------------------- formats and writer

TEST(ReportFormats, ParsesListsAndRejectsUnknownIds) {
  auto all = parse_report_formats("all");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), report_formats().size());
  auto some = parse_report_formats("junit,md,junit");
  ASSERT_TRUE(some.ok());
  ASSERT_EQ(some->size(), 2u);
  EXPECT_STREQ((*some)[0]->file, "junit.xml");
  EXPECT_STREQ((*some)[1]->file, "result.md");
  auto bad = parse_report_formats("json,pdf");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kUsage);
  EXPECT_NE(bad.error().message.find("pdf"), std::string::npos);
}

TEST(ReportWriter, WritesEveryFormatBesideTheResult) {
  for (const auto& [name, r] : runs())
    for (const char* file : {"result.json", "junit.xml", "result.sarif", "result.html", "result.md"})
      EXPECT_TRUE(fs::exists(fs::path(r.dir) / file)) << name << ": " << file;
}

TEST(ReportWriter, ReturnsErrorsAsValues) {
  const std::string dir = testing::temp_dir();
  const Json no_findings{{"source", "sqs"}, {"mode", "poll"}, {"invariants", Json::array()}};
  // A report directory that is a file: nothing can be written there.
  write_file(dir + "/not-a-dir", "x");
  auto unwritable = write_reports(dir + "/not-a-dir", no_findings, "md");
  ASSERT_FALSE(unwritable.ok());
  EXPECT_EQ(unwritable.error().code, ErrorCode::kIo);
  EXPECT_NE(unwritable.error().message.find("result.md"), std::string::npos) << unwritable.error().message;
  // A finding whose document is not in the directory.
  auto missing = write_reports(dir, findings_run().result, "html");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
  EXPECT_NE(missing.error().message.find("findings/contract.response/"), std::string::npos) << missing.error().message;
  // An unknown format.
  auto unknown = write_reports(dir, no_findings, "xml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kUsage);
  // An empty run still renders.
  ASSERT_TRUE(write_reports(dir, no_findings, "md,junit").ok());
  EXPECT_TRUE(fs::exists(dir + "/junit.xml"));
}

}  // namespace
}  // namespace evh::reports
