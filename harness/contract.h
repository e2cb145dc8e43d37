// Response contracts: how the platform reads what a function returned, per the source's
// `response.contract` name (SEMANTICS.md §4, §6). The verdict says what is wrong (with JSON
// pointers) and, for sources whose caller is an HTTP client, the status the client would get.
// The contract names form one table (contract.cpp); docs/response-contracts.md has a section
// per name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "generators/json.h"
#include "generators/source.h"
#include "harness/outcome.h"

namespace evh::harness {

struct ContractProblem {
  std::string pointer;  ///< JSON pointer into the response ("" = the whole response)
  std::string message;  ///< one line
  bool size = false;    ///< over the source's response size limit (limits.payload, not contract.response)
};

struct ContractVerdict {
  bool ok = true;
  std::vector<ContractProblem> problems;
  /// What the end client receives, where one exists (API Gateway, ALB, Function URL: 200..599;
  /// 502 for a malformed response or a function error, SEMANTICS.md §6.1–§6.3); 0 = no HTTP client
  /// (or the status is not decided by this response, e.g. an authorizer's Allow).
  int http_status = 0;
  /// One line: how the platform treated the response ("API Gateway returns 502 Internal server error").
  std::string reading;
  /// The response as the platform reads it, after inference rules (HTTP API: a value without
  /// statusCode becomes the body of a 200). Null when there is nothing to read.
  /// batch-item-failures: {"failed": [ids...]} (record ids as itemIdentifier carries them; every
  /// id of the batch plus "wholeBatch": true when the whole batch fails; without
  /// ReportBatchItemFailures, "ignored": [ids...] the response listed and the platform did not read). firehose-records:
  /// {"ok": [...], "dropped": [...], "processingFailed": [...]}. s3-batch-results:
  /// {"results": {taskId: resultCode}, "missing": [...], "treatMissingKeysAs": ...}.
  Json effective;
};

/// Assesses a successful invocation's response bytes against the source's contract. `event`
/// is the event that was sent (batchItemFailures ids, Firehose recordIds and S3 Batch taskIds
/// must refer to it). `report_batch_item_failures` says whether the mapping enables partial
/// batch responses (SEMANTICS.md §4: otherwise the response is ignored). Never throws; any
/// bytes are accepted (non-JSON is a problem where the platform parses the response).
ContractVerdict assess_response(const Source& source, const Json& event, const std::string& response,
                                bool report_batch_item_failures = true);

/// The same against an explicit contract, e.g. one of the source's variants (IoT custom
/// authorizer). `source` still gives the record identity and the size limit.
ContractVerdict assess_response(const Source& source, const ResponseContract& contract, const Json& event,
                                const std::string& response, bool report_batch_item_failures = true);

/// What the caller sees for an outcome that is not a successful return (function error,
/// timeout, crash, rejected invoke): e.g. API Gateway 502 / 504 / 500, ALB 502; 0 where no HTTP
/// client exists or the outcome is a success.
int http_status_for_failure(const Source& source, const Outcome& outcome);

/// The itemIdentifier value of each record of a batch event, in batch order, as a
/// batchItemFailures entry names it (SQS messageId, Kinesis sequenceNumber, DynamoDB
/// SequenceNumber, Kafka {partition, offset} ...): SEMANTICS.md §4.
std::vector<Json> batch_item_ids(const Source& source, const Json& event);

/// Every contract name the harness knows, in table order.
const std::vector<std::string_view>& known_contracts();
/// Whether `name` is in the table; an unknown name is assessed against its schema only.
bool is_known_contract(std::string_view name);
/// Whether the contract's caller is an HTTP client (API Gateway, ALB, Function URL, authorizers,
/// CloudFront): derived from the contract name, never from the source id.
bool has_http_client(std::string_view contract);

/// A named alternative contract a source declares under x-evh-source/response/variants.
struct ResponseVariant {
  std::string name;           ///< "custom-authorizer"
  ResponseContract contract;  ///< contract name, readBy and schema of the variant
};

/// The source's response variants (empty for most sources); a variant whose schema does not
/// load is ErrorCode::kConfig naming it.
Result<std::vector<ResponseVariant>> response_variants(const Source& source);

}  // namespace evh::harness
