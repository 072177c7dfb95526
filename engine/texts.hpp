// An immutable list of texts (an indicator's cites and notes) shared by a
// program and every result evaluated from it, so that evaluating does not
// copy the guideline's text for each evidence file.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace verdict::engine {

class Texts {
public:
  Texts() = default;
  Texts(std::vector<std::string> texts)  // NOLINT: a list of texts converts
      : texts_(texts.empty() ? nullptr : std::make_shared<const std::vector<std::string>>(std::move(texts))) {}

  const std::vector<std::string>& list() const {
    static const std::vector<std::string> none;
    return texts_ ? *texts_ : none;
  }
  auto begin() const { return list().begin(); }
  auto end() const { return list().end(); }
  std::size_t size() const { return list().size(); }
  bool empty() const { return list().empty(); }
  const std::string& operator[](std::size_t i) const { return list()[i]; }
  /// Empties it (dropping its share of the list).
  void clear() noexcept { texts_.reset(); }
  /// Appends (copying the list when it is shared).
  void push_back(std::string text) {
    auto grown = std::make_shared<std::vector<std::string>>(list());
    grown->push_back(std::move(text));
    texts_ = std::move(grown);
  }
  friend bool operator==(const Texts& a, const std::vector<std::string>& b) { return a.list() == b; }
  friend bool operator==(const Texts& a, const Texts& b) { return a.list() == b.list(); }

private:
  std::shared_ptr<const std::vector<std::string>> texts_;
};

}  // namespace verdict::engine
