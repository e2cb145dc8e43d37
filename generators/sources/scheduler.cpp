// Amazon EventBridge Scheduler: the schedule ARN in resources names the event's region and account; generation needs
// no hook (templates draw both from the event's context).
#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

void check(const Json& event, std::vector<Problem>& out) {
  const Json* arn = find_at(event, "/resources/0");
  if (!arn || !arn->is_string()) return;
  const std::string& a = arn->get_ref<const std::string&>();
  std::string region = str(event, "region"), account = str(event, "account");
  // arn:partition:scheduler:region:account:schedule/group/name
  if (!region.empty() && a.find(":scheduler:" + region + ":") == std::string::npos)
    report(out, "/resources/0", "names another region than the event");
  if (!account.empty() && a.find(":" + account + ":schedule/") == std::string::npos)
    report(out, "/resources/0", "names another account than the event");
}

}  // namespace

SourceHooks scheduler_hooks() { return {nullptr, check}; }

}  // namespace evh::sources
