#include "harness/context.h"

namespace evh::harness {

void Context::effect(Json e) {
  if (sink_ == nullptr) return;
  if (!e.contains("requestId")) e["requestId"] = request_id_;
  sink_->add(std::move(e));
}

}  // namespace evh::harness
