// The byte layout of a fuzz input's body (harness/fuzz_case.h): read by FuzzedDataProvider's
// rules — integers from the end (so lengths and content vary apart), payload bytes from the
// front — without depending on its header (it ships with clang, not gcc). ByteWriter is the
// inverse: it lays out values so that ByteReader, and FuzzedDataProvider, read them back.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace evh::harness::internal {

/// FuzzedDataProvider::ConsumeIntegralInRange / ConsumeBool / ConsumeRemainingBytesAsString,
/// unsigned types only: the same bytes give the same values.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : data_(bytes.data()), remaining_(bytes.size()) {}

  /// A value in [min, max]; `min` when the bytes have run out.
  template <typename T>
  T integral_in_range(T min, T max) {
    static_assert(std::is_unsigned_v<T>, "unsigned types only");
    const uint64_t range = static_cast<uint64_t>(max) - static_cast<uint64_t>(min);
    uint64_t result = 0;
    std::size_t offset = 0;
    while (offset < sizeof(T) * CHAR_BIT && (range >> offset) > 0 && remaining_ != 0) {
      --remaining_;
      result = (result << CHAR_BIT) | static_cast<uint8_t>(data_[remaining_]);
      offset += CHAR_BIT;
    }
    if (range != std::numeric_limits<uint64_t>::max()) result = result % (range + 1);
    return static_cast<T>(static_cast<uint64_t>(min) + result);
  }
  template <typename T>
  T integral() {
    return integral_in_range<T>(0, std::numeric_limits<T>::max());
  }
  bool boolean() { return (integral<uint8_t>() & 1) != 0; }
  /// Whatever the integers left at the front.
  std::string remaining_bytes() {
    std::string out(data_, remaining_);
    data_ += remaining_;
    remaining_ = 0;
    return out;
  }

 private:
  const char* data_;
  std::size_t remaining_;
};

/// Lays out values for ByteReader: call the same sequence of reads, with values, then finish().
class ByteWriter {
 public:
  /// `value` must be in [min, max].
  template <typename T>
  void integral_in_range(T value, T min, T max) {
    static_assert(std::is_unsigned_v<T>, "unsigned types only");
    const uint64_t range = static_cast<uint64_t>(max) - static_cast<uint64_t>(min);
    const uint64_t r = static_cast<uint64_t>(value) - static_cast<uint64_t>(min);
    std::size_t n = 0;
    for (std::size_t offset = 0; offset < sizeof(T) * CHAR_BIT && (range >> offset) > 0; offset += CHAR_BIT) ++n;
    // The reader takes the most significant byte first, from the end backwards.
    for (std::size_t i = n; i-- > 0;) tail_.push_back(static_cast<char>((r >> (i * CHAR_BIT)) & 0xff));
  }
  template <typename T>
  void integral(T value) {
    integral_in_range<T>(value, 0, std::numeric_limits<T>::max());
  }
  void boolean(bool b) { integral<uint8_t>(b ? 1 : 0); }
  /// Must be the last thing written (it is what remains once the integers are read).
  void remaining_bytes(std::string_view bytes) { front_.append(bytes); }

  std::string finish() const { return front_ + std::string(tail_.rbegin(), tail_.rend()); }

 private:
  std::string front_;
  std::vector<char> tail_;  ///< integer bytes in the order the reader takes them
};

}  // namespace evh::harness::internal
