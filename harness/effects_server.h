// EffectsServer: the HTTP effects channel for out-of-process handlers (DESIGN.md Trace and
// Effects). evh passes its url() to the handler (EVH_EFFECTS_URL); the handler POSTs what it did
// and the effects land in an EffectsSink, tagged with the request id current at arrival.
//
//   POST /effects[/anything]  one effect object, an array, {"effects":[...]} or JSONL
//                             → 202 {"accepted":N}; malformed → 400 {"message":"..."} and
//                             nothing is added; a body over 16 MiB → 413
//   GET  /effects/health      → 200 {"ok":true}
//
// It binds 127.0.0.1 only, on a free port, and serves on its own thread.
#pragma once

#include <memory>
#include <string>

#include "generators/error.h"
#include "harness/effects.h"

namespace evh::harness {

class EffectsServer {
 public:
  explicit EffectsServer(EffectsSink& sink);
  ~EffectsServer();  ///< stops
  EffectsServer(const EffectsServer&) = delete;
  EffectsServer& operator=(const EffectsServer&) = delete;

  /// Binds 127.0.0.1 on a free port and serves on its own thread. kInternal when no port can
  /// be bound or the server is already started.
  Status start();
  /// "http://127.0.0.1:PORT/effects" ("" before start()).
  std::string url() const;
  /// Stops serving and joins the thread; idempotent, bounded (about a second for a client that
  /// holds an idle keep-alive connection).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace evh::harness
