// Fuzz target: how the http:// target reads an Invoke API answer
// (harness/internal/invoke_response.h; the target is harness/http_target.cpp): status, headers
// and body to an Outcome, under the Lambda rules and the RIE's. Input, decoded with
// FuzzedDataProvider (integers from the end): the dialect, whether a Lambda-only header was seen
// before, the status, the reason phrase, up to 8 headers (names from the protocol's table or
// from the input), then the body. The outcome's JSON view must survive the report writers.
#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_common.h"
#include "harness/internal/invoke_response.h"

namespace {

using evh::harness::internal::Dialect;

constexpr const char* kHeaderNames[] = {"X-Amz-Function-Error", "X-Amz-Executed-Version", "x-amzn-ErrorType", "Retry-After",
                                        "Content-Type",         "x-amzn-RequestId",       "X-Amz-Log-Result"};
constexpr int kStatuses[] = {200, 202, 204, 400, 403, 404, 409, 413, 415, 429, 500, 502, 503, 504};
constexpr std::size_t kMaxHeaders = 8;
constexpr std::size_t kMaxFieldBytes = 128;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  const Dialect dialect = fdp.PickValueInArray({Dialect::kAuto, Dialect::kLambda, Dialect::kRie});
  bool lambda_seen = fdp.ConsumeBool();
  evh::harness::internal::InvokeAnswer answer;
  answer.status = fdp.ConsumeBool() ? fdp.PickValueInArray(kStatuses) : fdp.ConsumeIntegralInRange<int>(100, 599);
  answer.reason = fdp.ConsumeRandomLengthString(kMaxFieldBytes);
  const std::size_t headers = fdp.ConsumeIntegralInRange<std::size_t>(0, kMaxHeaders);
  for (std::size_t i = 0; i < headers; ++i) {
    std::string name = fdp.ConsumeBool() ? std::string(fdp.PickValueInArray(kHeaderNames)) : fdp.ConsumeRandomLengthString(kMaxFieldBytes);
    answer.headers.emplace_back(std::move(name), fdp.ConsumeRandomLengthString(kMaxFieldBytes));
  }
  answer.body = fdp.ConsumeRemainingBytesAsString();

  evh::harness::Invocation inv;
  inv.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
  inv.timeout = std::chrono::milliseconds(3000);

  // As HttpTarget::classify: a Lambda-only header settles the Lambda rules (auto dialect).
  if (evh::harness::internal::shows_lambda_dialect(answer)) lambda_seen = true;
  const bool lambda = dialect == Dialect::kLambda || (dialect == Dialect::kAuto && lambda_seen);
  const std::string body = answer.body;
  const evh::harness::Outcome o = evh::harness::internal::interpret_invoke_answer(std::move(answer), lambda, dialect, inv);
  (void)evh::fuzz::report_dump(o.to_json());

  using evh::harness::OutcomeKind;
  if (o.kind == OutcomeKind::kSuccess) evh::fuzz::expect(o.payload == body, "a success keeps the body as sent");
  if (o.kind == OutcomeKind::kInvokeError) evh::fuzz::expect(!o.error_message.empty(), "an invoke error says what went wrong");
  (void)evh::harness::internal::rie_timeout_text(body);
  return 0;
}
