// Platform numbers used in code, each with its SEMANTICS.md section. Source-specific limits are
// data in each source's schema file (x-evh-source/limits); these are the shared ones.
#pragma once

#include <cstddef>
#include <cstdint>

namespace evh::limits {

/// Sync Invoke request cap: 6 MiB (SEMANTICS.md §1, "Payload limits").
constexpr std::size_t kSyncRequestBytes = 6291456;
/// Sync response cap: 6 MiB + 100 B, over it → Function.ResponseSizeTooLarge (SEMANTICS.md §1).
constexpr std::size_t kSyncResponseBytes = 6291556;
/// Async (Event) request cap since Oct 2025: "1 MB"; exact bytes not confirmed, 1 MiB assumed
/// (SEMANTICS.md §1, §9). Configurable per run.
constexpr std::size_t kAsyncRequestBytes = 1048576;
/// Async request cap before Oct 2025 (SEMANTICS.md §1).
constexpr std::size_t kAsyncRequestBytesLegacy = 262144;
/// An ESM batch is capped at 6 MB (SEMANTICS.md §0.2, §3 "General").
constexpr std::size_t kEsmBatchBytes = 6291456;
/// SQS message size cap: 1 MiB since Jan 2026 (SEMANTICS.md §3.1).
constexpr std::size_t kSqsMessageBytes = 1048576;
/// SQS FIFO BatchSize maximum (SEMANTICS.md §3 parameter matrix).
constexpr std::size_t kSqsFifoMaxBatchSize = 10;
/// BatchSize maximum for every ESM source (SEMANTICS.md §3 parameter matrix).
constexpr std::size_t kEsmMaxBatchSize = 10000;
/// CloudFormation custom resource response body cap (SEMANTICS.md §6.4).
constexpr std::size_t kCfnResponseBodyBytes = 4096;
/// Alexa skill whole-response cap: 24 KB (SEMANTICS.md §6.9).
constexpr std::size_t kAlexaResponseBytes = 24576;
/// ALB request and response body cap: 1 MB (SEMANTICS.md §6.3).
constexpr std::size_t kAlbBodyBytes = 1048576;

}  // namespace evh::limits
