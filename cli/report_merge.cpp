// evh report merge: checks that the given results are the shards of one run, joins them into the
// result model of the whole run, copies the finding files and the traces beside it, and renders
// the requested formats from it (reports/writer.h).
#include "cli/report_merge.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/target_setup.h"
#include "harness/run.h"
#include "harness/shard.h"
#include "reports/writer.h"

namespace evh::cli {
namespace {

namespace fs = std::filesystem;

// The top-level members every shard of one run has alike.
constexpr const char* kSameStrings[] = {"evh", "source", "mode", "target"};
constexpr const char* kSameValues[] = {"seed", "configuration", "faults"};

bool is_count(const Json& j) { return j.is_number_unsigned() || (j.is_number_integer() && j.get<int64_t>() >= 0); }

uint64_t count_of(const Json& j) { return j.is_number_unsigned() ? j.get<uint64_t>() : static_cast<uint64_t>(j.get<int64_t>()); }

// j[key] as a count, or an error naming `what`.
Result<uint64_t> count_at(const Json& j, const char* key, const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || !is_count(*it)) return make_error(ErrorCode::kConfig, what + ": \"" + key + "\" must be a non-negative integer");
  return count_of(*it);
}

// What one shard's result.json says about its place in the run.
struct ShardView {
  const ShardReport* report = nullptr;
  harness::Shard shard;
  uint64_t run_cases = 0;
};

// The "shard" block of `r`, checked: the cases listed are exactly those the split gives shard K.
Result<ShardView> shard_view(const ShardReport& r) {
  const std::string& what = r.path;
  const Json& j = r.result;
  if (!j.is_object()) return make_error(ErrorCode::kConfig, what + ": not an evh result (a JSON object)");
  if (j.contains("merged")) return make_error(ErrorCode::kConfig, what + ": already a merged report; merge the shards' own results");
  auto sb = j.find("shard");
  if (sb == j.end())
    return make_error(ErrorCode::kConfig, what + ": not the result of a shard (no \"shard\"): only results of evh run --shard K/N merge");
  if (!sb->is_object()) return make_error(ErrorCode::kConfig, what + ": \"shard\" must be an object");
  const std::string sw = what + " (shard)";
  ShardView v;
  v.report = &r;
  auto index = count_at(*sb, "index", sw);
  if (!index) return index.error();
  auto count = count_at(*sb, "count", sw);
  if (!count) return count.error();
  auto run_cases = count_at(*sb, "runCases", sw);
  if (!run_cases) return run_cases.error();
  if (*count == 0 || *index == 0 || *index > *count)
    return make_error(ErrorCode::kConfig, sw + ": index " + std::to_string(*index) + " of count " + std::to_string(*count) + " is not a shard");
  if (sb->value("split", std::string()) != harness::kShardSplit)
    return make_error(ErrorCode::kConfig, sw + ": split \"" + sb->value("split", std::string()) + "\" is not this evh's (\"" +
                                              harness::kShardSplit + "\")");
  v.shard = harness::Shard{*index, *count};
  v.run_cases = *run_cases;
  auto cases = sb->find("cases");
  if (cases == sb->end() || !cases->is_array()) return make_error(ErrorCode::kConfig, sw + ": \"cases\" must be an array of case indices");
  uint64_t expected = v.shard.index - 1;
  for (const auto& c : *cases) {
    if (!is_count(c) || count_of(c) != expected || expected >= v.run_cases)
      return make_error(ErrorCode::kConfig, sw + ": \"cases\" are not the cases of shard " + v.shard.to_string() + " of a " +
                                                std::to_string(v.run_cases) + "-case run (expected " + std::to_string(expected) + " next)");
    expected += v.shard.count;
  }
  if (cases->size() != v.shard.size_of(v.run_cases))
    return make_error(ErrorCode::kConfig, sw + ": lists " + std::to_string(cases->size()) + " cases; shard " + v.shard.to_string() + " of a " +
                                              std::to_string(v.run_cases) + "-case run has " + std::to_string(v.shard.size_of(v.run_cases)));
  return v;
}

// The members a merge reads, checked, so that the merge itself cannot meet a malformed value.
Status check_members(const ShardReport& r) {
  const Json& j = r.result;
  const std::string& what = r.path;
  for (const char* k : kSameStrings)
    if (!j.contains(k) || !j[k].is_string()) return make_error(ErrorCode::kConfig, what + ": \"" + k + "\" must be a string");
  if (!j.contains("seed") || !is_count(j["seed"])) return make_error(ErrorCode::kConfig, what + ": \"seed\" must be a non-negative integer");
  auto st = j.find("statistics");
  if (st == j.end() || !st->is_object()) return make_error(ErrorCode::kConfig, what + ": \"statistics\" must be an object");
  for (const char* k : {"casesRun", "invocations", "virtualMs"})
    if (auto c = count_at(*st, k, what + " (statistics)"); !c) return c.error();
  if (auto rs = st->find("realSeconds"); rs != st->end() && !rs->is_number())
    return make_error(ErrorCode::kConfig, what + ": \"statistics.realSeconds\" must be a number");
  auto inv = j.find("invariants");
  if (inv == j.end() || !inv->is_array()) return make_error(ErrorCode::kConfig, what + ": \"invariants\" must be an array");
  for (const auto& v : *inv) {
    if (!v.is_object() || !v.contains("id") || !v["id"].is_string())
      return make_error(ErrorCode::kConfig, what + ": every invariant verdict needs an \"id\"");
    for (const char* k : {"exercised", "findings"})
      if (auto c = count_at(v, k, what + " (invariant " + v["id"].get<std::string>() + ")"); !c) return c.error();
  }
  auto fs_it = j.find("findings");
  if (fs_it == j.end() || !fs_it->is_array()) return make_error(ErrorCode::kConfig, what + ": \"findings\" must be an array");
  for (const auto& f : *fs_it) {
    if (!f.is_object() || !f.contains("invariant") || !f["invariant"].is_string() || !f.contains("case") || !is_count(f["case"]))
      return make_error(ErrorCode::kConfig, what + ": every finding needs an \"invariant\" and a \"case\"");
    if (f.contains("file") && !f["file"].is_string()) return make_error(ErrorCode::kConfig, what + ": a finding's \"file\" must be a string");
  }
  if (auto d = j.find("destinations"); d != j.end()) {
    if (!d->is_object()) return make_error(ErrorCode::kConfig, what + ": \"destinations\" must be an object");
    for (const auto& [arn, msgs] : d->items())
      if (!msgs.is_array()) return make_error(ErrorCode::kConfig, what + ": destination " + arn + " must list its messages");
  }
  if (auto e = j.find("effects"); e != j.end() && !e->is_array()) return make_error(ErrorCode::kConfig, what + ": \"effects\" must be an array");
  if (auto g = j.find("gaveUp"); g != j.end() && !g->is_string()) return make_error(ErrorCode::kConfig, what + ": \"gaveUp\" must be a string");
  return Ok{};
}

// `b` is a shard of the run `a` is a shard of: everything but the shard's own part is equal.
Status check_same_run(const ShardView& a, const ShardView& b) {
  const Json& x = a.report->result;
  const Json& y = b.report->result;
  auto differ = [&](const std::string& what) {
    return make_error(ErrorCode::kConfig, b.report->path + ": not a shard of the same run as " + a.report->path + ": " + what + " differs");
  };
  for (const char* k : kSameStrings)
    if (x[k] != y[k]) return differ(std::string("\"") + k + "\" (" + x[k].get<std::string>() + " vs " + y[k].get<std::string>() + ")");
  for (const char* k : kSameValues)
    if (x.value(k, Json()) != y.value(k, Json())) return differ(std::string("\"") + k + "\"");
  if (a.shard.count != b.shard.count)
    return differ("the shard count (" + a.shard.to_string() + " vs " + b.shard.to_string() + ")");
  if (a.run_cases != b.run_cases)
    return differ("the run's case count (" + std::to_string(a.run_cases) + " vs " + std::to_string(b.run_cases) + ")");
  const Json& xi = x["invariants"];
  const Json& yi = y["invariants"];
  bool same = xi.size() == yi.size();
  for (std::size_t i = 0; same && i < xi.size(); ++i) same = xi[i]["id"] == yi[i]["id"];
  if (!same) return differ("the invariants checked");
  return Ok{};
}

// findings/<invariant>/<file name>: where a finding file sits in its report directory.
fs::path finding_relative_path(const Json& finding) {
  return fs::path("findings") / finding["invariant"].get<std::string>() / fs::path(finding["file"].get<std::string>()).filename();
}

// Appends the file at `from` to `out` (traces can be large: copied in blocks, never parsed).
bool append_file(const fs::path& from, std::ostream& out) {
  std::ifstream in(from, std::ios::binary);
  if (!in) return false;
  out << in.rdbuf();
  return static_cast<bool>(out);
}

}  // namespace

Result<ShardReport> read_shard_report(const std::string& dir_or_file) {
  std::error_code ec;
  const fs::path p(dir_or_file);
  ShardReport r;
  if (fs::is_directory(p, ec)) {
    r.dir = p.string();
    r.path = (p / "result.json").string();
  } else {
    r.path = p.string();
    r.dir = p.has_parent_path() ? p.parent_path().string() : ".";
  }
  auto j = load_json_file(r.path);
  if (!j) return j.error();
  r.result = std::move(*j);
  return r;
}

Result<MergedReport> merge_shard_reports(const std::vector<ShardReport>& shards, const std::string& out_dir, bool allow_missing) {
  if (shards.empty()) return make_error(ErrorCode::kUsage, "report merge: no shard results given");
  std::vector<ShardView> views;
  for (const auto& s : shards) {
    auto v = shard_view(s);
    if (!v) return v.error();
    if (auto st = check_members(s); !st) return st.error();
    views.push_back(*v);
  }
  std::sort(views.begin(), views.end(), [](const ShardView& a, const ShardView& b) { return a.shard.index < b.shard.index; });
  for (std::size_t i = 0; i < views.size(); ++i) {
    if (auto st = check_same_run(views[0], views[i]); !st) return st.error();
    if (i > 0 && views[i].shard.index == views[i - 1].shard.index)
      return make_error(ErrorCode::kConfig, views[i].report->path + " and " + views[i - 1].report->path + " are both shard " +
                                                views[i].shard.to_string());
  }
  const harness::Shard first = views[0].shard;
  const uint64_t run_cases = views[0].run_cases;
  std::vector<uint64_t> missing;
  for (uint64_t k = 1, at = 0; k <= first.count; ++k) {
    if (at < views.size() && views[at].shard.index == k) {
      ++at;
    } else {
      missing.push_back(k);
    }
  }
  uint64_t missing_cases = 0;
  std::string missing_text;
  for (uint64_t k : missing) {
    missing_cases += harness::Shard{k, first.count}.size_of(run_cases);
    missing_text += (missing_text.empty() ? "" : ", ") + harness::Shard{k, first.count}.to_string();
  }
  if (!missing.empty() && !allow_missing)
    return make_error(ErrorCode::kConfig, "report merge: shard" + std::string(missing.size() > 1 ? "s " : " ") + missing_text + " missing (" +
                                              std::to_string(missing_cases) + " of " + std::to_string(run_cases) +
                                              " cases); give every shard's result, or --allow-missing for a report that cannot pass");

  const Json& base = views[0].report->result;
  const bool async = base["mode"] == "async";
  uint64_t cases_run = 0, invocations = 0, virtual_ms = 0;
  double real_seconds = 0;
  std::vector<harness::InvariantVerdict> verdicts;
  for (const auto& v : base["invariants"]) verdicts.push_back(harness::InvariantVerdict{v["id"].get<std::string>()});
  std::vector<std::pair<uint64_t, Json>> findings;  // (case, finding), joined in case order below
  MergedReport out;
  Json effects = Json::array();
  Json destinations = Json::object();
  std::string gave_up;
  Json from = Json::array();
  for (const auto& v : views) {
    const Json& r = v.report->result;
    const Json& st = r["statistics"];
    cases_run += count_of(st["casesRun"]);
    invocations += count_of(st["invocations"]);
    virtual_ms = async ? std::max(virtual_ms, count_of(st["virtualMs"])) : virtual_ms + count_of(st["virtualMs"]);
    real_seconds += st.value("realSeconds", 0.0);
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
      verdicts[i].exercised += count_of(r["invariants"][i]["exercised"]);
      verdicts[i].findings += count_of(r["invariants"][i]["findings"]);
    }
    for (Json f : r["findings"]) {
      if (f.contains("file")) {
        // The finding file moves beside the merged result: `evh replay` reads only that file.
        const fs::path rel = finding_relative_path(f);
        const fs::path to = fs::path(out_dir) / rel;
        out.copies.emplace_back((fs::path(v.report->dir) / rel).string(), to.string());
        f["file"] = to.string();
        f["replay"] = "evh replay " + to.string();
      }
      findings.emplace_back(count_of(f["case"]), std::move(f));
    }
    if (auto e = r.find("effects"); e != r.end())
      for (const auto& x : *e) effects.push_back(x);
    if (auto d = r.find("destinations"); d != r.end())
      for (const auto& [arn, msgs] : d->items())
        for (const auto& m : msgs) destinations[arn].push_back(m);
    if (auto g = r.find("gaveUp"); g != r.end()) gave_up += (gave_up.empty() ? "shard " : "; shard ") + v.shard.to_string() + ": " + g->get<std::string>();
    from.push_back(v.report->path);
  }
  if (!missing.empty())
    gave_up = "incomplete: shard" + std::string(missing.size() > 1 ? "s " : " ") + missing_text + " missing, " + std::to_string(missing_cases) +
              " of " + std::to_string(run_cases) + " cases not run" + (gave_up.empty() ? "" : "; " + gave_up);
  // Unsharded, sync findings come in case order; one case's findings stay in their shard's order.
  std::stable_sort(findings.begin(), findings.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  Json j{{"evh", base["evh"]}, {"source", base["source"]}, {"mode", base["mode"]}, {"target", base["target"]}, {"seed", base["seed"]}};
  Json missing_json = Json::array();
  for (uint64_t k : missing) missing_json.push_back(k);
  j["merged"] = {{"shards", first.count}, {"split", harness::kShardSplit}, {"runCases", run_cases}, {"from", std::move(from)},
                 {"missing", std::move(missing_json)}};
  j["verdict"] = harness::RunResult::verdict_of(findings.size(), !gave_up.empty());
  if (!gave_up.empty()) j["gaveUp"] = gave_up;
  j["statistics"] = {{"casesRequested", run_cases}, {"casesRun", cases_run}, {"invocations", invocations}, {"findings", findings.size()},
                     {"virtualMs", virtual_ms}, {"realSeconds", real_seconds}};
  j["configuration"] = base.value("configuration", Json::object());
  j["faults"] = base.value("faults", Json::array());
  Json inv = Json::array();
  for (const auto& v : verdicts)
    inv.push_back({{"id", v.id}, {"status", v.status()}, {"exercised", v.exercised}, {"findings", v.findings}});
  j["invariants"] = std::move(inv);
  Json fs_json = Json::array();
  for (auto& [c, f] : findings) fs_json.push_back(std::move(f));
  j["findings"] = std::move(fs_json);
  if (!effects.empty()) j["effects"] = std::move(effects);
  if (!destinations.empty()) j["destinations"] = std::move(destinations);
  out.result = std::move(j);
  return out;
}

int report_merge(const ReportMergeOptions& o) {
  auto formats = reports::parse_report_formats(o.format);
  if (!formats) return fail(2, "--format: " + formats.error().message);
  std::vector<ShardReport> shards;
  for (const auto& s : o.shards) {
    auto r = read_shard_report(s);
    if (!r) return fail(2, "report merge: " + r.error().message);
    shards.push_back(std::move(*r));
  }
  auto merged = merge_shard_reports(shards, o.report_dir, o.allow_missing);
  if (!merged) return fail(2, merged.error().message);
  const Json& rj = merged->result;

  // The finding files must exist before anything is written: a shard uploaded without its
  // findings/ cannot be replayed from the merged report.
  std::error_code ec;
  for (const auto& [from, to] : merged->copies)
    if (!fs::is_regular_file(from, ec))
      return fail(2, "report merge: " + from + ": finding file missing (keep each shard's whole report directory, findings/ included)");
  const fs::path dir(o.report_dir);
  int write_errors = 0;
  auto error = [&](const std::string& message) {
    std::cerr << "evh: " << message << "\n";
    ++write_errors;
  };
  for (const auto& [from, to] : merged->copies) {
    fs::create_directories(fs::path(to).parent_path(), ec);
    if (fs::equivalent(from, to, ec)) continue;  // merging into a shard's own directory
    if (!fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec)) error(to + ": cannot copy the finding file: " + ec.message());
  }
  // trace.jsonl: each shard's lines in shard order (each line names its run-wide case).
  {
    fs::create_directories(dir, ec);
    std::ofstream trace(dir / "trace.jsonl.tmp", std::ios::binary | std::ios::trunc);
    bool ok = static_cast<bool>(trace);
    for (const auto& s : shards) {
      const fs::path t = fs::path(s.dir) / "trace.jsonl";
      if (ok && fs::exists(t, ec)) ok = append_file(t, trace);
    }
    trace.close();
    if (!ok || !trace) {
      error((dir / "trace.jsonl").string() + ": cannot write file");
    } else {
      fs::rename(dir / "trace.jsonl.tmp", dir / "trace.jsonl", ec);
      if (ec) error((dir / "trace.jsonl").string() + ": cannot write file: " + ec.message());
    }
  }
  if (auto st = write_text(dir / "result.json", rj.dump(2) + "\n"); !st) error(st.error().message);
  if (auto st = reports::write_reports(dir.string(), rj, *formats); !st) error(st.error().message);

  // Summary on stdout, as evh run prints it.
  const Json& st = rj["statistics"];
  std::cout << "evh report merge: " << rj["source"].get<std::string>() << " " << rj["mode"].get<std::string>() << " -> "
            << rj["target"].get<std::string>() << ", " << shards.size() << " of " << rj["merged"]["shards"] << " shards\n"
            << "  cases " << st["casesRun"] << "/" << st["casesRequested"] << ", invocations " << st["invocations"] << "\n";
  for (const auto& v : rj["invariants"]) {
    const bool failed = v["findings"].get<uint64_t>() > 0;
    const bool exercised = v["exercised"].get<uint64_t>() > 0;
    std::cout << "  " << (failed ? "FAIL " : exercised ? "ok   " : "--   ") << v["id"].get<std::string>() << "  " << v["status"].get<std::string>()
              << " (" << v["exercised"] << " cases, " << v["findings"] << " findings)\n";
  }
  if (rj.contains("gaveUp")) std::cout << "  GAVE UP: " << rj["gaveUp"].get<std::string>() << "\n";
  if (auto d = rj.find("destinations"); d != rj.end())
    for (const auto& [arn, msgs] : d->items()) std::cout << "  destination " << arn << ": " << msgs.size() << " message(s)\n";
  constexpr std::size_t kShownFindings = 20;  // as evh run: the rest are in result.json
  const Json& fs_json = rj["findings"];
  for (std::size_t i = 0; i < fs_json.size() && i < kShownFindings; ++i) {
    const Json& f = fs_json[i];
    std::string chain;
    if (auto mu = f.find("mutations"); mu != f.end() && mu->is_array())
      for (const auto& m : *mu) chain += (chain.empty() ? "" : " > ") + (m.is_string() ? m.get<std::string>() : m.dump());
    std::cout << "  finding " << f["invariant"].get<std::string>() << " case " << f["case"] << " [" << (chain.empty() ? "none" : chain)
              << "]: " << f.value("message", std::string()) << "\n";
    if (f.contains("replay")) std::cout << "    " << f["replay"].get<std::string>() << "\n";
  }
  if (fs_json.size() > kShownFindings) std::cout << "  ... " << fs_json.size() - kShownFindings << " more in " << (dir / "result.json").string() << "\n";
  std::cout << "  report: " << (dir / "result.json").string() << "\n";
  if (write_errors) return 3;
  return harness::RunResult::exit_code_of(fs_json.size(), rj.contains("gaveUp"));
}

}  // namespace evh::cli
