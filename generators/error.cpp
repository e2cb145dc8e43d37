// ErrorCode names and exit codes.
#include "generators/error.h"

namespace evh {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUsage: return "usage";
    case ErrorCode::kConfig: return "config";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kUnreachable: return "unreachable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

int exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUsage:
    case ErrorCode::kConfig:
    case ErrorCode::kIo: return 2;
    case ErrorCode::kUnreachable:
    case ErrorCode::kInternal: return 3;
  }
  return 3;
}

}  // namespace evh
