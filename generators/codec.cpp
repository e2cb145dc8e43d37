// Codec implementations on zlib and OpenSSL (Debian's zlib1g-dev, libssl-dev).
#include "generators/codec.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <array>
#include <cstring>

namespace evh::codec {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_b64_table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kB64[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kB64Table = make_b64_table();

// OpenSSL 3 looks a digest up in its providers on every EVP_md5() call; fetching once and
// reusing one context per thread makes an MD5 of a small body several times cheaper.
struct Digester {
  explicit Digester(const char* name) : md(EVP_MD_fetch(nullptr, name, nullptr)), ctx(EVP_MD_CTX_new()) {}
  ~Digester() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
  Digester(const Digester&) = delete;
  Digester& operator=(const Digester&) = delete;
  std::string hex_of(std::string_view bytes) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestInit_ex(ctx, md, nullptr);
    EVP_DigestUpdate(ctx, bytes.data(), bytes.size());
    EVP_DigestFinal_ex(ctx, out, &len);
    return hex(std::string_view(reinterpret_cast<const char*>(out), len));
  }
  EVP_MD* md;
  EVP_MD_CTX* ctx;
};

}  // namespace

std::string base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint32_t{p[i]} << 16;
    if (i + 1 < in.size()) v |= uint32_t{p[i + 1]} << 8;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (std::size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = in[i + k];
      if (c == '=') {
        // Padding only in the last quantum's last two places.
        if (i + 4 != in.size() || k < 2) return std::nullopt;
        v[k] = 0;
        ++pad;
      } else {
        if (pad) return std::nullopt;
        v[k] = kB64Table[static_cast<unsigned char>(c)];
        if (v[k] < 0) return std::nullopt;
      }
    }
    uint32_t n = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
    out += static_cast<char>((n >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return out;
}

std::string gzip_compress(std::string_view in) {
  z_stream zs{};
  // 15 + 16: gzip header and trailer.
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::optional<std::string> inflate_auto(std::string_view in, std::size_t max_out) {
  z_stream zs{};
  // 15 + 32: detect gzip or zlib headers automatically.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return std::nullopt;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > max_out) {
      rc = Z_MEM_ERROR;
      break;
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      rc = Z_BUF_ERROR;  // input ended before the stream did: truncated
      break;
    }
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

std::string md5_hex(std::string_view bytes) {
  thread_local Digester d("MD5");
  return d.hex_of(bytes);
}

std::string sha1_hex(std::string_view bytes) {
  thread_local Digester d("SHA1");
  return d.hex_of(bytes);
}

std::string sha256_hex(std::string_view bytes) {
  thread_local Digester d("SHA256");
  return d.hex_of(bytes);
}

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string url_form_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '*' || c == '/') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> url_form_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      auto val = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      int hi = val(text[i + 1]), lo = val(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

constexpr std::string_view kKplMagic = "\xF3\x89\x9A\xC2";

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void put_bytes_field(std::string& out, int field, std::string_view bytes) {
  put_varint(out, (static_cast<uint64_t>(field) << 3) | 2);
  put_varint(out, bytes.size());
  out.append(bytes);
}

bool get_varint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    auto b = static_cast<unsigned char>(in[0]);
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

// Calls `on_field(number, wire_type, bytes_or_empty, varint)` for each field; false when malformed.
template <typename F>
bool each_field(std::string_view in, F&& on_field) {
  while (!in.empty()) {
    uint64_t key = 0;
    if (!get_varint(in, key)) return false;
    int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
    if (wire == 0) {
      uint64_t v = 0;
      if (!get_varint(in, v)) return false;
      on_field(field, wire, std::string_view{}, v);
    } else if (wire == 2) {
      uint64_t len = 0;
      if (!get_varint(in, len) || len > in.size()) return false;
      on_field(field, wire, in.substr(0, len), 0);
      in.remove_prefix(len);
    } else {
      return false;  // KPL uses only varints and length-delimited fields
    }
  }
  return true;
}

}  // namespace

std::string kpl_aggregate(const std::vector<std::string>& partition_keys, const std::vector<std::string>& records) {
  std::string pb;
  for (const auto& k : partition_keys) put_bytes_field(pb, 1, k);
  for (std::size_t i = 0; i < records.size(); ++i) {
    std::string rec;
    put_varint(rec, (1 << 3) | 0);
    put_varint(rec, partition_keys.empty() ? 0 : i % partition_keys.size());
    put_bytes_field(rec, 3, records[i]);
    put_bytes_field(pb, 3, rec);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(pb.data(), pb.size(), digest, &len, EVP_md5(), nullptr);
  return std::string(kKplMagic) + pb + std::string(reinterpret_cast<const char*>(digest), len);
}

std::optional<std::vector<std::string>> kpl_deaggregate(std::string_view bytes) {
  if (bytes.size() < kKplMagic.size() + 16 || bytes.substr(0, 4) != kKplMagic) return std::nullopt;
  std::string_view pb = bytes.substr(4, bytes.size() - 4 - 16);
  std::string_view digest = bytes.substr(bytes.size() - 16);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(pb.data(), pb.size(), md, &len, EVP_md5(), nullptr);
  if (len != 16 || digest != std::string_view(reinterpret_cast<const char*>(md), 16)) return std::nullopt;
  std::vector<std::string> out;
  bool ok = each_field(pb, [&](int field, int wire, std::string_view body, uint64_t) {
    if (field != 3 || wire != 2) return;
    each_field(body, [&](int f, int w, std::string_view data, uint64_t) {
      if (f == 3 && w == 2) out.emplace_back(data);
    });
  });
  if (!ok) return std::nullopt;
  return out;
}

bool is_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (n < 0 || i + static_cast<std::size_t>(n) >= s.size()) return false;
    for (int k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += static_cast<std::size_t>(n) + 1;
  }
  return true;
}

}  // namespace evh::codec
