// Correct (HTTP sources: API Gateway REST/HTTP, ALB, Function URL): 400 for malformed input,
// 200 otherwise; an empty body, a missing body and any unicode are ordinary requests.
#include "examples/handlers/handlers.h"
#include "examples/handlers/records.h"

namespace evh::examples {

harness::Handler make_apigw_echo() {
  return [](const Json& event, harness::Context&) -> Json {
    if (malformed_http_event(event)) return http_answer(event, 400, "{\"error\":\"bad request\"}");
    return http_answer(event, 200, "{\"ok\":true}");
  };
}

}  // namespace evh::examples
