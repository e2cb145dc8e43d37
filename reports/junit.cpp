// JUnit XML writer. Element and attribute names follow the de-facto JUnit schema that Jenkins,
// GitLab and GitHub test reporters read.
#include "reports/junit.h"

#include <sstream>

#include "reports/internal/escape.h"
#include "reports/internal/result_view.h"

namespace evh::reports {
namespace {

using internal::count;
using internal::str;
using internal::xml_escape;

std::string attr(const std::string& s) { return xml_escape(s, /*attribute=*/true); }

std::string seconds(const Json& run) {
  double s = 0;
  if (auto it = run.find("statistics"); it != run.end())
    if (auto rs = it->find("realSeconds"); rs != it->end() && rs->is_number()) s = rs->get<double>();
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(3);
  o << s;
  return o.str();
}

struct SuiteCounts {
  std::size_t tests = 0, failures = 0, skipped = 0;
};

SuiteCounts counts_of(const Json& run) {
  SuiteCounts c;
  if (auto it = run.find("invariants"); it != run.end() && it->is_array())
    for (const auto& v : *it) {
      ++c.tests;
      const std::string status = str(v, "status");
      c.failures += status == "violated";
      c.skipped += status == "not-exercised";
    }
  return c;
}

void write_suite(std::ostream& out, const Json& run) {
  const SuiteCounts c = counts_of(run);
  const std::string classname = str(run, "source") + "." + str(run, "mode");
  out << "  <testsuite name=\"" << attr(internal::suite_name(run)) << "\" tests=\"" << c.tests << "\" failures=\""
      << c.failures << "\" errors=\"0\" skipped=\"" << c.skipped << "\" time=\"" << seconds(run) << "\">\n";
  out << "    <properties>\n";
  auto property = [&](const char* name, const std::string& value) {
    out << "      <property name=\"" << name << "\" value=\"" << attr(value) << "\"/>\n";
  };
  property("source", str(run, "source"));
  property("mode", str(run, "mode"));
  property("target", str(run, "target"));
  property("seed", internal::text(run, "seed"));
  property("verdict", str(run, "verdict"));
  if (auto it = run.find("statistics"); it != run.end()) {
    property("casesRun", std::to_string(count(*it, "casesRun")));
    property("invocations", std::to_string(count(*it, "invocations")));
    property("virtualMs", internal::text(*it, "virtualMs"));
  }
  if (const std::string gave_up = str(run, "gaveUp"); !gave_up.empty()) property("gaveUp", gave_up);
  out << "    </properties>\n";

  if (auto it = run.find("invariants"); it != run.end() && it->is_array()) {
    for (const auto& v : *it) {
      const std::string id = str(v, "id");
      const std::string status = str(v, "status");
      out << "    <testcase classname=\"" << attr(classname) << "\" name=\"" << attr(id) << "\" time=\"0\"";
      if (status == "held") {
        out << "/>\n";
        continue;
      }
      out << ">\n";
      if (status == "not-exercised") {
        out << "      <skipped message=\"not exercised: no case reached what " << attr(id) << " checks\"/>\n";
      } else {
        const auto findings = internal::findings_for(run, id);
        const uint64_t n = count(v, "findings");
        std::string message = std::to_string(n) + (n == 1 ? " finding" : " findings");
        if (!findings.empty()) message += ": " + str(*findings.front(), "message");
        out << "      <failure message=\"" << attr(message) << "\" type=\"" << attr(id) << "\">";
        std::string body;
        for (const Json* f : findings) {
          body += "case " + internal::text(*f, "case") + " [" + internal::mutation_chain(f->value("mutations", Json())) +
                  "]: " + str(*f, "message") + "\n  seed " + internal::text(*f, "seed") + "\n  replay: " +
                  internal::replay_command(run, *f) + "\n";
        }
        out << xml_escape(body) << "</failure>\n";
      }
      out << "    </testcase>\n";
    }
  }
  if (const std::string gave_up = str(run, "gaveUp"); !gave_up.empty())
    out << "    <system-err>" << xml_escape("evh gave up: " + gave_up + " (not a pass)") << "</system-err>\n";
  out << "  </testsuite>\n";
}

}  // namespace

std::string render_junit(const Json& result) {
  const auto runs = internal::runs_of(result);
  SuiteCounts total;
  for (const Json* run : runs) {
    const SuiteCounts c = counts_of(*run);
    total.tests += c.tests;
    total.failures += c.failures;
    total.skipped += c.skipped;
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"evh\" tests=\"" << total.tests << "\" failures=\"" << total.failures
      << "\" errors=\"0\" skipped=\"" << total.skipped << "\">\n";
  for (const Json* run : runs) write_suite(out, *run);
  out << "</testsuites>\n";
  return out.str();
}

}  // namespace evh::reports
