// yaml-cpp's bare event parse: every event counted, nothing built. The
// speed loading is measured against (bench only).
#pragma once
#include <cstddef>
#include <sstream>
#include <string>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

namespace verdict::bench {

struct NullHandler final : YAML::EventHandler {
  std::size_t events = 0;
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override { ++events; }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { ++events; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override { ++events; }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override { ++events; }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override { ++events; }
  void OnMapEnd() override {}
};

/// Parses one document of `text`; the number of events.
inline std::size_t bare_parse(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  NullHandler h;
  parser.HandleNextDocument(h);
  return h.events;
}

}  // namespace verdict::bench
