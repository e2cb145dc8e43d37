// Correct (alexa-skill, sync): answers every request with a short, valid Alexa response, well
// under Alexa's 24 KB limit (SEMANTICS.md §6.9).
#include "examples/handlers/handlers.h"
#include "examples/handlers/records.h"

namespace evh::examples {

harness::Handler make_alexa_correct() {
  return [](const Json&, harness::Context&) -> Json {
    return Json{{"version", "1.0"},
                {"response", {{"outputSpeech", {{"type", "PlainText"}, {"text", "Your order is on its way."}}}, {"shouldEndSession", true}}}};
  };
}

}  // namespace evh::examples
