// lex-v2: the session intent is the top interpretation, slot shapes agree with their values, slotToElicit names a
// slot of the intent, a fulfillment hook sees a ready intent, TestBotAlias runs DRAFT, and the top transcription is
// the inputTranscript (SEMANTICS.md §6.8).
#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

// What the user said and what Lex resolved it to.
constexpr std::array<std::pair<const char*, const char*>, 10> kSlotValues = {{
    {"Seattle", "Seattle"},
    {"tomorrow", "2026-03-14"},
    {"savings", "Savings"},
    {"01/01/1990", "1990-01-01"},
    {"two", "2"},
    {"large", "Large"},
    {"economy", "Economy"},
    {"next friday", "2026-03-20"},
    {"pepperoni", "Pepperoni"},
    {"king", "King"},
}};

constexpr std::array<const char*, 8> kIntentNames = {"BookCar",    "BookHotel",      "CheckBalance", "TransferFunds",
                                                     "OrderPizza", "FallbackIntent", "Welcome",      "CancelOrder"};

Json scalar_value(Rng& rng, bool transcription, std::string& original, std::string& interpreted) {
  const auto& [o, i] = kSlotValues[rng.below(kSlotValues.size())];
  original = o;
  interpreted = i;
  Json v = Json::object();
  v["originalValue"] = original;
  if (!transcription) v["interpretedValue"] = interpreted;
  v["resolvedValues"] = Json::array({interpreted});
  return v;
}

// Makes one slot's shape, value and values/subSlots agree (transcription slots carry no interpretedValue).
void fix_slot(Json& slot, Rng& rng, bool transcription) {
  if (!slot.is_object()) return;
  std::string shape = str(slot, "shape");
  std::string original, interpreted;
  if (shape == "List") {
    Json values = Json::array();
    std::string all_original, all_interpreted;
    std::size_t n = static_cast<std::size_t>(rng.range(2, 3));
    for (std::size_t i = 0; i < n; ++i) {
      Json item = Json::object();
      item["shape"] = "Scalar";
      item["value"] = scalar_value(rng, transcription, original, interpreted);
      all_original += (i ? " and " : "") + original;
      all_interpreted += (i ? " " : "") + interpreted;
      values.push_back(std::move(item));
    }
    slot["value"] = Json::object();
    slot["value"]["originalValue"] = all_original;
    if (!transcription) slot["value"]["interpretedValue"] = all_interpreted;
    slot["value"]["resolvedValues"] = Json::array();
    slot["values"] = std::move(values);
    slot.erase("subSlots");
    return;
  }
  slot.erase("values");
  if (shape == "Composite" && slot.contains("subSlots") && slot["subSlots"].is_object()) {
    for (auto& [_, sub] : slot["subSlots"].items()) {
      if (sub.is_object()) sub["shape"] = "Scalar";
      fix_slot(sub, rng, transcription);
    }
  } else {
    slot.erase("subSlots");
    if (shape == "Composite") slot["shape"] = "Scalar";
  }
  slot["value"] = scalar_value(rng, transcription, original, interpreted);
}

void fix_slots(Json& intent, Rng& rng, bool transcription, const char* key = "slots") {
  if (!intent.is_object() || !intent.contains(key) || !intent[key].is_object()) return;
  for (auto& [_, s] : intent[key].items()) fix_slot(s, rng, transcription);
}

// ElicitSlot must name a slot of the intent; other dialog actions carry no slotToElicit.
void fix_dialog_action(Json& action, const Json& intent) {
  if (!action.is_object()) return;
  if (str(action, "type") != "ElicitSlot") {
    action.erase("slotToElicit");
    return;
  }
  const Json* slots = find_at(intent, "/slots");
  std::string first, first_empty;  // prefer a slot not filled yet
  if (slots && slots->is_object()) {
    for (const auto& [name, s] : slots->items()) {
      if (first.empty()) first = name;
      if (first_empty.empty() && s.is_null()) first_empty = name;
    }
  }
  std::string pick = first_empty.empty() ? first : first_empty;
  if (pick.empty()) {
    action["type"] = "Delegate";
    action.erase("slotToElicit");
  } else {
    action["slotToElicit"] = pick;
  }
}

void finalize(Json& event, Rng& rng, GenContext&) {
  if (!event.is_object()) return;
  Json* intent = find_at(event, "/sessionState/intent");
  if (!intent || !intent->is_object()) return;
  fix_slots(*intent, rng, false);
  bool fulfillment = str(event, "invocationSource") == "FulfillmentCodeHook";
  std::string state = str(*intent, "state");
  if (fulfillment && state != "ReadyForFulfillment" && state != "FulfillmentInProgress")
    (*intent)["state"] = "ReadyForFulfillment";
  std::string name = str(*intent, "name");

  // The session's intent is the top interpretation (highest nluConfidence); the others are distinct alternatives.
  if (Json* interps = array_at(event, "/interpretations"); interps && !interps->empty()) {
    std::vector<double> scores;
    for (const auto& it : *interps)
      if (const Json* c = find_at(it, "/nluConfidence"); c && c->is_number()) scores.push_back(c->get<double>());
    std::sort(scores.rbegin(), scores.rend());
    std::size_t next = 0;
    for (auto& it : *interps)
      if (Json* c = find_at(it, "/nluConfidence"); c && c->is_number()) *c = scores[next++];
    std::set<std::string> used = {name};
    for (std::size_t i = 0; i < interps->size(); ++i) {
      Json& it = (*interps)[i];
      if (!it.is_object()) continue;
      if (i == 0) {
        it["intent"] = *intent;
        continue;
      }
      Json& alt = it["intent"];
      if (!alt.is_object()) continue;
      fix_slots(alt, rng, false);
      std::string alt_name = str(alt, "name");
      for (std::size_t k = 0; used.count(alt_name) && k < kIntentNames.size(); ++k) alt_name = kIntentNames[k];
      alt["name"] = alt_name;
      used.insert(alt_name);
    }
  }
  if (Json* action = find_at(event, "/sessionState/dialogAction")) fix_dialog_action(*action, *intent);
  if (Json* next = find_at(event, "/proposedNextState"); next && next->is_object()) {
    (*next)["intent"] = *intent;
    if (Json* action = find_at(*next, "/dialogAction")) fix_dialog_action(*action, *intent);
  }

  // TestBotAlias always runs the DRAFT version; other aliases point at numbered versions.
  if (Json* bot = find_at(event, "/bot"); bot && bot->is_object()) {
    if (str(*bot, "aliasId") == "TSTALIASID") {
      (*bot)["version"] = "DRAFT";
      if (bot->contains("aliasName")) (*bot)["aliasName"] = "TestBotAlias";
    } else if (str(*bot, "version") == "DRAFT") {
      (*bot)["version"] = "1";
    }
  }

  if (Json* ts = array_at(event, "/transcriptions"); ts && !ts->empty()) {
    for (std::size_t i = 0; i < ts->size(); ++i) {
      Json& t = (*ts)[i];
      if (!t.is_object()) continue;
      fix_slots(t, rng, true, "resolvedSlots");
      if (i == 0) {
        t["transcription"] = str(event, "inputTranscript");
        if (t.contains("resolvedContext") && t["resolvedContext"].is_object()) t["resolvedContext"]["intent"] = name;
      }
    }
  }
}

void check_dialog_action(const Json& event, const std::string& at, const std::string& intent_at,
                         std::vector<Problem>& out) {
  const Json* action = find_at(event, at);
  if (!action || !action->is_object() || str(*action, "type") != "ElicitSlot") return;
  std::string slot = str(*action, "slotToElicit");
  const Json* slots = find_at(event, intent_at + "/slots");
  if (slot.empty()) {
    report(out, at + "/slotToElicit", "ElicitSlot needs slotToElicit");
  } else if (slots && slots->is_object() && !slots->contains(slot)) {
    report(out, at + "/slotToElicit", "names no slot of the intent");
  }
}

void check_slots(const Json& slots, const std::string& at, std::vector<Problem>& out) {
  if (!slots.is_object()) return;
  for (const auto& [name, s] : slots.items()) {
    if (!s.is_object()) continue;
    std::string shape = str(s, "shape");
    bool has_values = s.contains("values") && s["values"].is_array();
    std::string p = at + "/" + pointer_token(name);
    if (shape == "List" && !has_values) report(out, p + "/values", "a List slot carries its values[]");
    if (shape == "Scalar" && s.contains("values")) report(out, p + "/values", "a Scalar slot has no values[]");
  }
}

void check(const Json& event, std::vector<Problem>& out) {
  if (!event.is_object()) return;
  const Json* intent = find_at(event, "/sessionState/intent");
  std::string name = intent && intent->is_object() ? str(*intent, "name") : std::string();
  if (str(event, "invocationSource") == "FulfillmentCodeHook" && intent && intent->is_object()) {
    std::string state = str(*intent, "state");
    if (!state.empty() && state != "ReadyForFulfillment" && state != "FulfillmentInProgress")
      report(out, "/sessionState/intent/state",
             "a fulfillment code hook runs only for an intent ready for fulfillment");
  }
  if (const Json* interps = array_at(event, "/interpretations")) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < interps->size(); ++i) {
      const Json* n = find_at((*interps)[i], "/intent/name");
      if (!n || !n->is_string()) continue;
      if (!names.insert(n->get<std::string>()).second)
        report(out, "/interpretations/" + std::to_string(i) + "/intent/name",
               "repeats another interpretation's intent");
    }
    if (!name.empty() && !names.empty() && !names.count(name))
      report(out, "/sessionState/intent/name", "is none of the interpretations' intents");
    const Json* top = interps->empty() ? nullptr : find_at((*interps)[0], "/nluConfidence");
    for (std::size_t i = 1; top && top->is_number() && i < interps->size(); ++i) {
      const Json* c = find_at((*interps)[i], "/nluConfidence");
      if (c && c->is_number() && c->get<double>() > top->get<double>()) {
        report(out, "/interpretations/0/nluConfidence", "the top interpretation has a lower confidence than another");
        break;
      }
    }
  }
  if (intent) {
    if (const Json* slots = find_at(*intent, "/slots")) check_slots(*slots, "/sessionState/intent/slots", out);
  }
  check_dialog_action(event, "/sessionState/dialogAction", "/sessionState/intent", out);
  check_dialog_action(event, "/proposedNextState/dialogAction", "/proposedNextState/intent", out);
  if (const Json* bot = find_at(event, "/bot"); bot && str(*bot, "aliasId") == "TSTALIASID") {
    std::string version = str(*bot, "version");
    if (!version.empty() && version != "DRAFT") report(out, "/bot/version", "TestBotAlias (TSTALIASID) runs DRAFT");
  }
  if (const Json* ts = array_at(event, "/transcriptions"); ts && !ts->empty()) {
    std::string input = str(event, "inputTranscript");
    bool found = false;
    for (const auto& t : *ts) found = found || str(t, "transcription") == input;
    if (!found) report(out, "/transcriptions", "no transcription is the inputTranscript");
  }
}

}  // namespace

SourceHooks lex_v2_hooks() { return {finalize, check}; }

}  // namespace evh::sources
