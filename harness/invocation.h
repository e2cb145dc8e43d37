// Invocation: one request the simulated platform sends to a target (SEMANTICS.md §1, §8).
// Targets see only this struct; the modes build it from a Case and the run's settings.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "generators/json.h"

namespace evh::harness {

/// The Invoke API invocation type (SEMANTICS.md §1: X-Amz-Invocation-Type).
enum class InvokeType { kRequestResponse, kEvent, kDryRun };

const char* to_string(InvokeType t);

struct Invocation {
  std::string request_id;      ///< Lambda-Runtime-Aws-Request-Id; a UUID drawn from the run seed
  InvokeType type = InvokeType::kRequestResponse;
  std::string payload;         ///< the event exactly as sent (JSON text)
  int64_t now_ms = 0;          ///< virtual epoch ms when the invocation starts
  int64_t deadline_ms = 0;     ///< virtual epoch ms: now_ms + function timeout (Lambda-Runtime-Deadline-Ms)
  std::chrono::milliseconds timeout{3000};  ///< function timeout: the real bound for out-of-process targets
  std::string function_name;   ///< AWS_LAMBDA_FUNCTION_NAME
  std::string function_arn;    ///< Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;        ///< Lambda-Runtime-Trace-Id (X-Ray "Root=...;Parent=...;Sampled=0")
  std::string client_context;  ///< Lambda-Runtime-Client-Context JSON ("" = none)
  std::string cognito_identity;  ///< Lambda-Runtime-Cognito-Identity JSON ("" = none)
  int attempt = 1;             ///< 1 for the first delivery of this event, 2+ for redeliveries
  /// The parsed event when the harness has it: in-process targets use it instead of parsing
  /// `payload` again. Null for targets that only see bytes.
  const Json* event = nullptr;
};

}  // namespace evh::harness
