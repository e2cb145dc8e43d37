// Fuzz target: what evh's Runtime API server makes of a runtime's error report
// (harness/internal/runtime_api_protocol.h; the server is harness/runtime_api_target.cpp). Input,
// decoded with FuzzedDataProvider: the last byte picks the Content-Type (none, JSON, the X-Ray
// error-cause type, text, or a string of the input), then the Lambda-Runtime-Function-Error-Type
// header as a FuzzedDataProvider string, the rest is the POST body. The outcome must be a function
// error with an errorType and a JSON payload, and its JSON view must survive the report writers.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_common.h"
#include "generators/json.h"
#include "harness/internal/runtime_api_protocol.h"

namespace {

constexpr const char* kContentTypes[] = {"", "application/json", "application/vnd.aws.lambda.error.cause+json", "text/plain"};
constexpr std::size_t kMaxHeaderBytes = 256;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  const uint8_t pick = fdp.ConsumeIntegral<uint8_t>();
  evh::harness::internal::ErrorReport report;
  report.error_type_header = fdp.ConsumeRandomLengthString(kMaxHeaderBytes);
  const std::size_t n = sizeof kContentTypes / sizeof kContentTypes[0];
  report.content_type = pick % (n + 1) < n ? kContentTypes[pick % (n + 1)] : fdp.ConsumeRandomLengthString(kMaxHeaderBytes);
  report.body = fdp.ConsumeRemainingBytesAsString();

  using evh::harness::OutcomeKind;
  const evh::harness::Outcome o = evh::harness::internal::reported_error(report, "runtime posted /invocation/fuzz/error");
  evh::fuzz::expect(o.kind == OutcomeKind::kFunctionError, "a reported error is a function error");
  evh::fuzz::expect(!o.error_type.empty(), "a reported error has an errorType");
  evh::fuzz::expect(!evh::Json::parse(o.payload, nullptr, false).is_discarded(), "the error payload is a JSON document");
  (void)evh::fuzz::report_dump(o.to_json());

  // The platform's own documents are built from the same reader: any JSON must do.
  evh::Json doc = evh::Json::parse(report.body, nullptr, false);
  if (!doc.is_discarded()) {
    const evh::harness::Outcome p = evh::harness::internal::platform_error(OutcomeKind::kCrash, doc, "fuzz");
    (void)evh::fuzz::report_dump(p.to_json());
  }
  return 0;
}
