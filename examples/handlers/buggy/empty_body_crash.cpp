// Trips robust.no-crash: on an HTTP source (apigw-http, apigw-rest) it reads the body without
// checking it is there, so an empty or missing body (a GET, a DELETE) makes the function fail and
// API Gateway answers 502. Otherwise it is apigw-echo. (Its Node twin exits the process:
// Runtime.ExitError.)
#include "examples/handlers/handlers.h"
#include "examples/handlers/records.h"

namespace evh::examples {

harness::Handler make_empty_body_crash() {
  return [](const Json& event, harness::Context&) -> Json {
    if (malformed_http_event(event)) return http_answer(event, 400, "{\"error\":\"bad request\"}");
    auto body = event.find("body");
    if (body == event.end() || body->is_null() || body->get_ref<const std::string&>().empty())  // the bug
      throw harness::FunctionError("TypeError", "Cannot read properties of undefined (reading 'trim')");
    return http_answer(event, 200, "{\"ok\":true}");
  };
}

}  // namespace evh::examples
