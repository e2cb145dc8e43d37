// Trips limits.payload: answers an Alexa skill request with a valid response that is over
// Alexa's 24 KB limit (it reads the whole catalogue aloud and keeps it in the session), so Alexa
// ends the session with INVALID_RESPONSE (SEMANTICS.md §6.9).
#include "examples/handlers/handlers.h"
#include "examples/handlers/records.h"

namespace evh::examples {

harness::Handler make_alexa_oversize() {
  return [](const Json&, harness::Context&) -> Json {
    std::string catalogue;
    for (int i = 0; catalogue.size() < 7000; ++i) catalogue += "Item " + std::to_string(i) + " is in stock. ";
    return Json{{"version", "1.0"},
                {"response",
                 {{"outputSpeech", {{"type", "PlainText"}, {"text", catalogue}}},
                  {"card", {{"type", "Simple"}, {"title", "Catalogue"}, {"content", catalogue}}},
                  {"reprompt", {{"outputSpeech", {{"type", "PlainText"}, {"text", catalogue}}}}},
                  {"shouldEndSession", false}}},
                {"sessionAttributes", {{"catalogue", catalogue}}}};  // the bug: 4 copies, about 28 KB
  };
}

}  // namespace evh::examples
