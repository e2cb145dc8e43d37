// Byte encodings AWS payloads use: base64, gzip (and zlib), MD5/SHA hex digests, URL form
// encoding. Decoders never throw: they return nullopt on malformed input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace evh::codec {

std::string base64_encode(std::string_view bytes);
/// Strict standard-alphabet base64 with padding; nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text);

/// gzip-compresses (RFC 1952), as CloudWatch Logs does before base64.
std::string gzip_compress(std::string_view bytes);
/// Inflates gzip or zlib streams (header auto-detected); nullopt when corrupt or truncated.
/// `max_out` bounds the output so a decompression bomb cannot exhaust memory.
std::optional<std::string> inflate_auto(std::string_view bytes, std::size_t max_out = 64u << 20);

std::string md5_hex(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);
/// Names artifacts by content (findings, corpus entries), as libFuzzer names crash files.
std::string sha1_hex(std::string_view bytes);
std::string hex(std::string_view bytes);

/// application/x-www-form-urlencoded, as S3 encodes object keys in notifications (space → '+').
std::string url_form_encode(std::string_view text);
std::optional<std::string> url_form_decode(std::string_view text);

/// KPL aggregated record (Kinesis Producer Library): magic F3 89 9A C2, an AggregatedRecord
/// protobuf, then the MD5 of the protobuf. One partition key per user record.
std::string kpl_aggregate(const std::vector<std::string>& partition_keys, const std::vector<std::string>& records);
/// The user records of an aggregated record; nullopt when `bytes` is not one (or is corrupt).
std::optional<std::vector<std::string>> kpl_deaggregate(std::string_view bytes);

/// True when `text` is well-formed UTF-8.
bool is_utf8(std::string_view text);

}  // namespace evh::codec
