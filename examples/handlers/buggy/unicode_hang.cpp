// Trips robust.no-hang: on an HTTP source a body with any non-ASCII character sends it into a
// retry loop that never ends (in-process it spends virtual time past its timeout; its Node twin
// really waits forever). Otherwise it is apigw-echo.
#include "examples/handlers/handlers.h"
#include "examples/handlers/records.h"

namespace evh::examples {

harness::Handler make_unicode_hang() {
  return [](const Json& event, harness::Context& ctx) -> Json {
    if (malformed_http_event(event)) return http_answer(event, 400, "{\"error\":\"bad request\"}");
    auto body = event.find("body");
    if (body != event.end() && body->is_string()) {
      for (unsigned char c : body->get_ref<const std::string&>()) {
        if (c >= 0x80) {
          ctx.spend_ms(ctx.remaining_ms() + 1000);  // the bug: never gets out
          return nullptr;
        }
      }
    }
    return http_answer(event, 200, "{\"ok\":true}");
  };
}

}  // namespace evh::examples
