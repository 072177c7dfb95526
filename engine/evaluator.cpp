#include "engine/evaluator.hpp"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "engine/builtins_eval.hpp"
#include "engine/compiled.hpp"

namespace verdict::engine {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::unknown: return "unknown";
  }
  return "unknown";
}

const Value& param_value(const Param& p, std::optional<Date> as_of) {
  const Param::Dated* chosen = &p.values.front();
  if (as_of)
    for (const auto& v : p.values)
      if (v.from && *v.from <= *as_of) chosen = &v;
  return chosen->value;
}

namespace {

constexpr std::size_t kMaxMissing = 50;
constexpr int kMaxDepth = kMaxEvalDepth;

/// The state of one evaluation: memoised lets, the element stack, and the
/// collector of absent evidence paths for the check being evaluated.
class Evaluator final : public Context {
public:
  struct Workspace;
  /// `ws` is empty (as Workspace::clear leaves it) and is used by this
  /// evaluation alone.
  Evaluator(const Program& p, const Evidence& e, const EvalOptions& o, Workspace& ws);

  Value eval(const Expr& e);
  /// Evaluates without copying: the result is an evidence, program or let
  /// value that outlives the evaluation, or `scratch`. The cheap nodes
  /// (constants, params, memoised lets, elements and fields of them) are
  /// answered here, inline, without entering ref_node; each still counts
  /// as a step.
  [[gnu::always_inline]] const Value& ref(const Expr& e, Value& scratch) {
    if (trace_ && elements_.size() == trace_depth_) [[unlikely]] return ref_traced(e, scratch);
    switch (e.op) {
      case Op::constant:
        if (take_steps(1)) return e.value;
        break;
      case Op::param:
        if (params_ready_ && take_steps(1)) return *params_[e.index];
        break;
      case Op::as_of:
        if (as_of_ready_ && take_steps(1)) return as_of_value_;
        break;
      case Op::let: {
        const auto& slot = lets_[e.index];
        if (slot.done && (!missing_ || slot.missing.empty()) && take_steps(1)) return slot.value;
        break;
      }
      case Op::element:
        if (e.index < elements_.size() && take_steps(1)) return *elements_[e.index];
        break;
      case Op::field:
        // `.name` of an element record: the commonest node of all.
        if (const Expr& base = e.args[0]; base.op == Op::element && base.index < elements_.size())
          if (const Record* r = elements_[base.index]->record_if())
            if (const Field* f = find_field(*r, e); f && take_steps(2)) return f->value;
        [[fallthrough]];
      case Op::evidence:
        if (const Value* v = path_ref(e)) return *v;
        break;
      default: break;
    }
    return ref_node(e, scratch);
  }
  const Value& ref_traced(const Expr& e, Value& scratch);
  /// Evaluates a collection expression; what it returns lives as long as
  /// `held` does.
  Items items(const Expr& collection, Value& held);
  const Value& ref_node(const Expr& e, Value& scratch);
  std::string origin_of(const Expr& e);
  /// Binds the element of a collection operation; `v` must outlive the
  /// matching pop_element().
  void push_element(const Value& v) { elements_.push_back(&v); }
  void pop_element() { elements_.pop_back(); }
  /// A membership index for a list (a Value of kind list), built once per
  /// list; null when the list holds unknown, null or mixed values (then `in`
  /// scans it).
  const MembershipIndex* membership_index(const Value& list);

  /// Evaluates into `result`, reusing its memory (see evaluate_into).
  void run(EvaluationResult& result);
  /// Sets the reference date and the params in force (run() does it first;
  /// inlined there, as it was written before trace_elements shared it).
  [[gnu::always_inline]] inline void prepare();
  /// trace_elements(): the per-element values of `op`.
  std::vector<ElementTrace> element_traces(const Expr& op, std::size_t limit);

  /// The fast path (engine/compiled.hpp): the compiled form of the
  /// condition `e`, to be evaluated inside a collection operation (with an
  /// element pushed), or null when it has none.
  enum class Tri : std::uint8_t { no, yes, unknown, give_up };
  const CondNode* compiled(const Expr& e) const { return use_cond_ ? e.cond.get() : nullptr; }
  /// The same for a condition evaluated outside any element (a check).
  const CondNode* compiled_top(const Expr& e) const { return use_cond_ && !trace_ ? e.cond.get() : nullptr; }
  /// The answer of a compiled condition with the current elements; give_up
  /// when the fast path cannot decide it exactly (then evaluate it as usual).
  Tri run_cond(const CondNode& c) {
    const std::uint64_t saved = steps_;
    const std::uint64_t outer_let_steps = let_steps_;
    let_steps_ = 0;
    Tri t = cond(c);
    if (steps_ > budget_) t = Tri::give_up;  // the general evaluator reports it where it happens
    // and counts the steps again, but for the lets evaluated meanwhile
    if (t == Tri::give_up) steps_ = saved + let_steps_;
    let_steps_ = outer_let_steps;
    if (stats_) [[unlikely]] ++(t == Tri::give_up ? stats_->gave_up : stats_->answered);
    return t;
  }

private:
  // The fast path's nodes, one small function per kind (CondNode::Kind),
  // called through these tables: no dispatcher with a large frame between
  // a node and its kids.
  using CondFn = Tri (*)(Evaluator&, const CondNode&);
  using OperandFn = const Value* (*)(Evaluator&, const CondNode&, int slot);
  static const CondFn kCondFns[CondNode::kConditions];
  static const OperandFn kOperandFns[CondNode::kKinds - CondNode::kConditions];
  Tri cond(const CondNode& c) { return kCondFns[static_cast<int>(c.kind)](*this, c); }
  /// An operand's value: one that outlives the condition, or tmp_[slot];
  /// null when the fast path cannot read it exactly.
  const Value* operand(const CondNode& c, int slot) {
    return kOperandFns[static_cast<int>(c.kind) - CondNode::kConditions](*this, c, slot);
  }
  /// operand(), with the commonest kind, a field of an element, inline.
  [[gnu::always_inline]] const Value* read(const CondNode& c, int slot) {
    return c.kind == CondNode::Kind::element_field ? element_field(c) : operand(c, slot);
  }
  /// The first `n` kids of `c` (operands) into `out`, each in its own
  /// temporary slot; false when one cannot be read exactly.
  template <int n>
  bool read_kids(const CondNode& c, const Value* (&out)[3]) {
    if (!(out[0] = read(c.kids[0], 0))) return false;  // the commonest: a field of the element
    for (int i = 1; i < n; ++i)
      if (!(out[i] = operand(c.kids[i], i))) return false;
    return true;
  }
  static Tri of_bool(bool b) { return b ? Tri::yes : Tri::no; }
  // Conditions.
  static Tri c_truth(Evaluator& ev, const CondNode& c);
  static Tri c_field_truth(Evaluator& ev, const CondNode& c);
  static Tri c_not(Evaluator& ev, const CondNode& c);
  static Tri c_and(Evaluator& ev, const CondNode& c);
  static Tri c_or(Evaluator& ev, const CondNode& c);
  static Tri c_compare(Evaluator& ev, const CondNode& c);
  static Tri c_field_is(Evaluator& ev, const CondNode& c);
  static Tri c_in(Evaluator& ev, const CondNode& c);
  static Tri c_between(Evaluator& ev, const CondNode& c);
  // What those nodes leave to a call of their own, so that they stay leaves
  // (no registers to save) on their common path.
  [[gnu::noinline]] static Tri compare_rest(Op op, const Value& a, const Value& b);
  [[gnu::noinline]] Tri in_rest(const Value& a, const Value& list);
  [[gnu::noinline]] static Tri between_rest(const Value& x, const Value& lo, const Value& hi);
  [[gnu::noinline]] Tri share_compare(const CondNode& c);
  static Tri c_any(Evaluator& ev, const CondNode& c);
  static Tri c_all(Evaluator& ev, const CondNode& c);
  static Tri c_known(Evaluator& ev, const CondNode& c);
  template <bool is_any>
  Tri any_all(const CondNode& c);
  template <bool is_and>
  Tri and_or(const CondNode& c);
  // Operands.
  static const Value* o_element_field(Evaluator& ev, const CondNode& c, int slot);
  static const Value* o_element_path(Evaluator& ev, const CondNode& c, int slot);
  static const Value* o_root_path(Evaluator& ev, const CondNode& c, int slot);
  static const Value* o_constant(Evaluator& ev, const CondNode& c, int slot);
  static const Value* o_param(Evaluator& ev, const CondNode& c, int slot);
  static const Value* o_let(Evaluator& ev, const CondNode& c, int slot);
  static const Value* o_as_of(Evaluator& ev, const CondNode& c, int slot);
  static const Value* o_count(Evaluator& ev, const CondNode& c, int slot);
  static const Value* o_share(Evaluator& ev, const CondNode& c, int slot);
  static const Value* o_sum_in(Evaluator& ev, const CondNode& c, int slot);
  static const Value* o_outcome_value(Evaluator& ev, const CondNode& c, int slot);
  const Value* path_from(const Value& start, const CondNode& c);
  /// A field of the element at depth c.index, inline (the commonest operand).
  [[gnu::always_inline]] const Value* element_field(const CondNode& c) {
    steps_ += c.steps;
    if (c.index >= elements_.size()) return nullptr;
    const Record* r = elements_[c.index]->record_if();
    if (!r) return nullptr;
    if (const Value* v = at_hint(*r, c)) [[likely]] return v;
    return path_from(*elements_[c.index], c);
  }
  /// keys[0] of `r` at the position it was last found at, or null when it
  /// is not there (then path_from searches the record and moves the hint).
  [[gnu::always_inline]] static const Value* at_hint(const Record& r, const CondNode& c) {
    const CondNode::Key& k = c.keys[0];
    const std::uint32_t at = std::atomic_ref<std::uint32_t>(k.hint).load(std::memory_order_relaxed);
    if (at < r.fields.size() && Record::has_key(r.fields[at], k.name, k.id)) return &r.fields[at].value;
    return nullptr;
  }
  /// A flag: the condition `.f` or `not .f` on the element a loop is about
  /// to bind (depth `depth`), the commonest `where`; a loop answers it per
  /// item without binding the item or calling a node. Null for any other.
  struct Flag {
    const CondNode* field = nullptr;
    bool negate = false;
    std::uint32_t steps = 0;  // what the fast path counts per item
  };
  static Flag flag_of(const CondNode* c, std::size_t depth) {
    if (!c) return {};
    Flag f;
    f.steps = c->steps;
    if (c->kind == CondNode::Kind::not_) {
      f.negate = true;
      c = &c->kids[0];
      f.steps += c->steps;
    }
    if (c->kind != CondNode::Kind::field_truth || c->index != depth) return {};
    f.field = c;
    return f;
  }
  /// The items a `where` keeps, as pointers into a buffer with room for
  /// every item of the list filtered: appending one is a store through `at`
  /// (no capacity check, no call). They become the list's borrowed values
  /// at once, at the end. One buffer per nesting level of `where`s, kept by
  /// the thread from one evaluation to the next (no allocation once they are
  /// large enough; one that grew past kKeepAtMost items is given back).
  struct Kept {
    const Value** begin;
    const Value** at;
    void push_back(const Value* v) { *at++ = v; }
  };
  struct KeptScope {
    static inline thread_local std::vector<std::unique_ptr<std::vector<const Value*>>> buffers;
    static inline thread_local std::size_t depth = 0;
    Kept kept;
    explicit KeptScope(std::size_t room) {
      if (depth == buffers.size()) buffers.push_back(std::make_unique<std::vector<const Value*>>());
      auto& buffer = *buffers[depth++];
      if (buffer.size() < room) buffer.resize(room);
      kept = {buffer.data(), buffer.data()};
    }
    ~KeptScope() {
      auto& buffer = *buffers[--depth];
      if (buffer.size() > kKeepAtMost) std::vector<const Value*>().swap(buffer);  // a huge list's: not kept
    }
    static constexpr std::size_t kKeepAtMost = std::size_t{1} << 16;
    KeptScope(const KeptScope&) = delete;
    KeptScope& operator=(const KeptScope&) = delete;
  };
  /// One item of `list where PRED`, PRED compiled as `fast`, bound at
  /// element slot `depth`: the compiled condition when it decides, else the
  /// expression; kept into `out`, or `unknown` set.
  [[gnu::always_inline]] void keep_compiled(const CondNode& fast, const Expr& pred, const Value& item, std::size_t depth,
                                            Value& held, Kept& out, bool& unknown) {
    elements_[depth] = &item;
    Tri t = run_cond(fast);
    if (t == Tri::give_up) t = general_where(pred, held);
    if (t == Tri::unknown) unknown = true;
    else if (t == Tri::yes) out.push_back(&item);
  }
  /// `list where FLAG` into `out`: each item's flag read straight from it,
  /// as the fast path would answer it; an item it cannot answer is
  /// evaluated as usual (`pred`, bound as element).
  void filter_by_flag(const Flag& f, const Expr& pred, const List& list, Kept& out, bool& unknown);
  /// `list where PRED` into `out`, PRED compiled as `fast`.
  void filter_compiled(const CondNode& fast, const Expr& pred, const List& list, Kept& out, bool& unknown);
  /// A join threshold: the condition `sum(C where X.k in .f, E) OP T` on the
  /// element X a loop is about to bind (depth `depth`), with C a let, a path
  /// from the evidence, a param or a constant, E a field of C's element or a
  /// constant, T a param or a constant (`participants as p where
  /// sum(qualifying where p.id in .participants, .effort_days) >= 2`). A
  /// loop answers it per item with one lookup in the sum's index, without
  /// binding the item or calling a node. Null for any other.
  struct JoinSum {
    const CondNode* sum = nullptr;  // the sum_in node
    std::uint64_t steps = 0;        // what the fast path counts per item, but for E per match
  };
  JoinSum join_sum_of(const CondNode& c, std::size_t depth) const;
  /// `list where PRED` into `out`, PRED a join threshold (`fast`): the first
  /// item as filter_compiled answers it (the general evaluator evaluates C
  /// and builds the index there, see o_sum_in), the others by their key's
  /// matches in the index; an item it cannot answer exactly goes the way of
  /// filter_compiled.
  void filter_by_join(const JoinSum& j, const CondNode& fast, const Expr& pred, const List& list, Kept& out,
                      bool& unknown);
  Value tmp_[3];  // what count and sum operands answer, one per operand position: numbers only
  const Value* number_in(int slot, Number n) {
    tmp_[slot].set_number(n);
    return &tmp_[slot];
  }
  std::uint64_t let_steps_ = 0;  // steps of lets evaluated by the running condition
  struct LetSlot {
    bool done = false;
    bool busy = false;
    Value value;
    std::vector<std::string> missing;
  };

  void note_missing(std::string path) {
    if (!missing_) return;
    if (missing_->size() >= kMaxMissing) return;
    if (std::find(missing_->begin(), missing_->end(), path) == missing_->end()) missing_->push_back(std::move(path));
  }
  /// Counts `n` evaluated nodes; false when that would exceed the budget
  /// (ref_node then reports it at the right node).
  bool take_steps(std::uint64_t n) {
    if (steps_ + n > budget_) [[unlikely]] return false;
    steps_ += n;
    return true;
  }
  /// A path of fields over an element or the evidence root (`.kind`,
  /// `strategy.process.instruments`) when every field is present: the
  /// common case, walked without recursion. Null otherwise (ref_node then
  /// evaluates it node by node, noting what is absent).
  [[gnu::noinline]] const Value* path_ref(const Expr& e) {
    constexpr int kMaxChain = 8;
    const Expr* chain[kMaxChain];
    int n = 0;
    const Expr* x = &e;
    while (x->op == Op::field) {
      if (n == kMaxChain) return nullptr;
      chain[n++] = x;
      x = &x->args[0];
    }
    const Value* v;
    if (x->op == Op::element) {
      if (x->index >= elements_.size()) return nullptr;
      v = elements_[x->index];
    } else if (x->op == Op::evidence) {
      const Record* root = evidence_.root.record_if();
      const Field* f = root ? find_field(*root, *x) : nullptr;
      if (!f) return nullptr;
      v = &f->value;
    } else {
      return nullptr;
    }
    for (int i = n - 1; i >= 0; --i) {
      if (v->kind() != Value::Kind::record) return nullptr;
      const Field* f = find_field(v->as_record(), *chain[i]);
      if (!f) return nullptr;
      v = &f->value;
    }
    if (!take_steps(static_cast<std::uint64_t>(n) + 1)) return nullptr;
    return v;
  }
  /// The field `at.name` of a record, trying where it was found last first.
  /// The hit is answered inline; a miss searches the record (find_field_slow).
  [[gnu::always_inline]] static const Field* find_field(const Record& r, const Expr& at) {
    const std::uint32_t hint = std::atomic_ref<std::uint32_t>(at.field_hint).load(std::memory_order_relaxed);
    if (hint < r.fields.size() && Record::has_key(r.fields[hint], at.name, at.key_id)) [[likely]]
      return &r.fields[hint];
    return find_field_slow(r, at);
  }
  [[gnu::noinline]] static const Field* find_field_slow(const Record& r, const Expr& at) {
    const Field* f = r.find(at.name);
    if (f)
      std::atomic_ref<std::uint32_t>(at.field_hint)
          .store(static_cast<std::uint32_t>(f - r.fields.data()), std::memory_order_relaxed);
    return f;
  }
  /// Param `index`, or what the options replace it with.
  const Param& param_in_force(std::uint32_t index) const {
    for (const auto& [replaced, replacement] : options_.param_overrides)
      if (replaced == index) return *replacement;
    return program_.params[index];
  }
  /// Counts a node as a step and as a level of nesting, for as long as it
  /// is being evaluated; fails past the step budget or the depth limit.
  struct Enter {
    Evaluator& ev;
    Enter(Evaluator& evaluator, const Expr& e) : ev(evaluator) {
      if (++ev.steps_ > ev.budget_) [[unlikely]] ev.over_budget(e);
      if (++ev.depth_ > kMaxDepth) [[unlikely]] {
        --ev.depth_;  // the destructor will not run
        ev.too_deep(e);
      }
    }
    ~Enter() { --ev.depth_; }
    Enter(const Enter&) = delete;
    Enter& operator=(const Enter&) = delete;
  };
  [[noreturn, gnu::cold, gnu::noinline]] void over_budget(const Expr& e);
  [[noreturn, gnu::cold, gnu::noinline]] void too_deep(const Expr& e);
  const Value& general_ref(const Expr& e, Value& scratch);
  const Value& not_ref(const Expr& e);
  const Value& call_ref(const Expr& e, Value& scratch);
  const Value& let_ref(std::uint32_t index, Span at);
  /// A let evaluated by the general evaluator into `slot`.
  void evaluate_let(std::uint32_t index, LetSlot& slot);
  /// The elements of enclosing collection operations put aside while a let
  /// is evaluated (lets are evaluated outside any element), in a spare
  /// stack kept from an earlier let with its memory; back however it ends.
  struct ElementsAside {
    Evaluator& ev;
    std::vector<const Value*> outer;
    explicit ElementsAside(Evaluator& evaluator) : ev(evaluator) {
      if (!ev.spare_elements_.empty()) {
        outer = std::move(ev.spare_elements_.back());
        ev.spare_elements_.pop_back();
      }
      outer.swap(ev.elements_);
    }
    ~ElementsAside() {
      ev.elements_.swap(outer);
      outer.clear();
      try {
        ev.spare_elements_.push_back(std::move(outer));
      } catch (...) {  // out of memory: the stack is simply not kept
      }
    }
    ElementsAside(const ElementsAside&) = delete;
    ElementsAside& operator=(const ElementsAside&) = delete;
  };
  const Value& index_ref(const Expr& e, Value& scratch);
  const Value& logic_ref(const Expr& e);
  const Value& binary_ref(const Expr& e, Value& scratch);
  const Value& negate_ref(const Expr& e, Value& scratch);
  const Value& field_ref(const Value& base, const std::string& key, const Expr& at);
  std::string render_message(const Message& m);
  void report_checks(const Indicator& ind, IndicatorResult& r, bool& any_false, bool& any_unknown);
  [[noreturn]] void not_a_condition(const Check& check, const Value& v);
  std::optional<std::string> gap_for(const Expr& check);
  std::optional<std::string> unknown_because(const Expr& check);
  std::optional<std::string> empty_whole(const Expr& e, int depth);
  std::string describe(const Expr& e) const;

  const Program& program_;
  const Evidence& evidence_;
  const EvalOptions& options_;
  std::vector<TraceEntry>* trace_;
  std::size_t trace_depth_ = 0;  // the elements bound where trace_ records (trace_elements: 1)
  std::vector<std::string> absent_;  // run(): the absent evidence behind an unknown value, level or score
  // A hash index built once per evaluation for `C where X in .field` (X not
  // reading C's element): the elements of C by each value of their field
  // (a list field: an element appears under each of its values once), in
  // an open-addressing table: one probe sequence and no node per key. (The
  // membership sets of `in` are the Workspace's `membership`.)
  struct InIndex {
    std::uint32_t owner = 0;  // the where_id of the `where` it answers (0: free)
    std::string_view field;   // its field (`.f` of `X in .f`) and that element's depth
    std::uint32_t depth = 0;
    std::shared_ptr<const List> list;
    bool usable = false;
    static constexpr std::uint32_t kNotText = ~std::uint32_t{0};
    struct Slot {  // 32 bytes
      std::size_t hash = 0;
      const Value* key = nullptr;  // null: empty; points into `list`, which the index holds
      std::uint32_t begin = 0, count = 0;
      std::uint32_t text_at = 0, text_size = kNotText;  // a string key's bytes in `text`
    };
    std::vector<Slot> slots;  // a power of two in size
    std::size_t mask = 0;     // slots.size() - 1
    std::vector<std::uint32_t> positions;
    // The bytes of string keys, so that a lookup compares them here instead
    // of following each key to its string.
    std::string text;
    // Scratch space for building, kept with the index (see Workspace).
    std::vector<std::pair<const Value*, std::uint32_t>> entries;
    std::vector<std::uint32_t> slot_of, last;
    void build();
    Matches find(const Value& key) const;
    /// Whether `key` is something an index holds (a known scalar).
    static bool can_find(const Value& key) {
      return key.is_known() && !key.is_null() && key.kind() != Value::Kind::list && key.kind() != Value::Kind::record;
    }
  };
  // What an evaluation builds and drops (let values, indexes, tables), kept
  // per thread from one evaluation to the next: the next one reuses the
  // memory instead of allocating it again. clear() releases every value and
  // index (nothing refers to a program or evidence afterwards), keeps the
  // lets' lists that nothing else holds, emptied, and keeps the capacity of
  // the containers.
public:
  struct Workspace {
    std::vector<LetSlot> lets;
    std::vector<const Value*> params;
    std::vector<const Value*> elements;  // the elements of enclosing collection operations
    std::vector<std::vector<const Value*>> spare_elements;  // element stacks for lets (let_ref)
    // Lists that lets held and nothing else holds any more, emptied, with
    // their memory, for the next evaluation's lists (new_list).
    std::vector<std::shared_ptr<List>> spare_lists;
    static constexpr std::size_t kSpareLists = 64;        // kept at most
    static constexpr std::size_t kSpareCapacity = 4096;  // items; a larger list's memory is not kept
    /// The membership index of each list `in` looked up, by its address;
    /// each entry holds its list (see membership_index).
    struct Membership {
      std::shared_ptr<const List> list;
      std::optional<MembershipIndex> index;
    };
    std::unordered_map<const List*, Membership> membership;
    std::size_t membership_items = 0;  // the items of the lists `membership` indexes
    /// At most this many items are indexed at once: a list built anew for
    /// each element (`x in distinct(xs, .v)` inside a `where`) would keep
    /// every one of its copies and its index otherwise (2 GB for 5,000
    /// elements; bounded, 30 MB). Past it the indexes are dropped and built again as needed.
    static constexpr std::size_t kMembershipItems = std::size_t{1} << 18;  // 262,144
    // Few per program: found by a linear search, cheaper than hashing. An
    // index with no `where` is free for the next one asked for.
    std::vector<std::unique_ptr<InIndex>> in_indexes;
    bool busy = false;
    void clear() noexcept {
      membership.clear();  // first: its entries hold lists the lets may hold
      membership_items = 0;
      for (auto& i : in_indexes) {
        i->owner = 0;
        i->list.reset();
        i->usable = false;
      }
      for (auto& slot : lets) {
        slot.done = slot.busy = false;
        keep_list(slot.value);
        slot.missing.clear();
      }
      params.clear();
      elements.clear();
    }
    /// Empties `v`, keeping the list it holds for reuse when nothing else
    /// holds it (a result's values, a trace, a param share theirs: those are
    /// left alone).
    void keep_list(Value& v) noexcept {
      if (v.kind() != Value::Kind::list || spare_lists.size() >= kSpareLists) {
        v = Value();
        return;
      }
      std::shared_ptr<const List> list = v.take_list();
      if (list.use_count() != 1 || list->items.capacity() > kSpareCapacity) return;
      // Every list an evaluation makes is made mutable (new_list); a const
      // one here is one it shares with nobody now. Emptied at once, so that
      // it keeps nothing of the evidence alive.
      auto spare = std::const_pointer_cast<List>(std::move(list));
      spare->path.clear();
      spare->mark = Mark{};
      spare->items.clear();
      spare->marks.clear();
      try {
        spare_lists.push_back(std::move(spare));
      } catch (...) {  // out of memory: the list is simply freed
      }
    }
    /// An empty list, reusing a kept one's memory when there is one.
    std::shared_ptr<List> new_list() {
      if (spare_lists.empty()) return std::make_shared<List>();
      std::shared_ptr<List> list = std::move(spare_lists.back());
      spare_lists.pop_back();
      return list;
    }
  };

private:
  std::unordered_map<const List*, Workspace::Membership>& membership_;
  std::vector<std::unique_ptr<InIndex>>& in_indexes_;
  std::optional<Matches> index_matches(const Expr& e, const Value& collection);
  /// The usable index built for a `where` over `list` by the one-key
  /// field `field` (`C where X in .f`), or null.
  const InIndex* built_index(const List& list, const CondNode& field) const {
    if (field.keys.size() != 1) return nullptr;
    for (const auto& i : in_indexes_)
      if (i->usable && i->list.get() == &list && i->field == field.keys[0].name && i->depth == field.index)
        return i.get();
    return nullptr;
  }
  /// The index of the `where` numbered `owner` (Expr::where_id), by the
  /// field `field` of the element at `depth`, in this evaluation.
  InIndex& index_of(std::uint32_t owner, std::string_view field, std::uint32_t depth) {
    InIndex* free = nullptr;
    for (const auto& i : in_indexes_) {
      if (i->owner == owner) return *i;
      if (!i->owner && !free) free = i.get();
    }
    if (!free) free = in_indexes_.emplace_back(std::make_unique<InIndex>()).get();
    free->owner = owner;
    free->field = field;
    free->depth = depth;
    return *free;
  }
  /// sum_in's index (`c`), built on the fast path when the general
  /// evaluator has not built it yet, counting the steps it would count
  /// (the field read once per item); null when an item's field is not a
  /// list of known values (then the general evaluator builds it, noting
  /// what is absent, or reports the error).
  const InIndex* join_index(const Value& collection, const CondNode& c);
  /// Builds `index` over the list, unless it already is: `values_of(item)`
  /// is the list of keys an item is found under (null, or a key unknown or
  /// null, and the list is not indexable).
  template <class ValuesOf>
  void refresh(InIndex& index, const std::shared_ptr<const List>& list_ptr, ValuesOf values_of) {
    if (index.list == list_ptr) return;
    index.list = list_ptr;
    index.usable = true;
    auto& entries = index.entries;
    entries.clear();
    const auto& items = list_ptr->items;
    entries.reserve(items.size() * 2);  // an item is commonly found under a few values
    for (std::uint32_t i = 0; i < items.size() && index.usable; ++i) {
      const Value* values = values_of(items[i]);
      if (!values || values->kind() != Value::Kind::list) { index.usable = false; break; }
      for (const auto& v : values->as_list().items) {
        if (!v.is_known() || v.is_null()) { index.usable = false; break; }
        entries.emplace_back(&v, i);
      }
    }
    if (index.usable) index.build();
    else {
      index.slots.clear();
      index.mask = 0;
      index.positions.clear();
    }
  }
  Value filter(const Expr& where, const Value& collection);
  /// The items of `list` that the condition of `where` (a `where` not
  /// answered by an index) keeps, into `out`; true when one is unknown.
  bool keep_items(const Expr& where, const List& list, Kept& out);
  /// A let evaluated by its plan (engine/compiled.hpp) into `slot`, outside
  /// any element; false when the plan gives up before doing anything but
  /// reading its source (then the let is evaluated as usual).
  bool planned_let(const LetPlan& plan, const Expr& e, LetSlot& slot);
  /// distinct() of `items` by `per` (the let's plan.per, the expression
  /// `per_expr`), each item bound at element depth 0.
  template <class Items>
  Value distinct_of(const LetPlan& plan, const Expr& per_expr, const Items& items);
  /// A `where` condition evaluated as usual, for the current element.
  Tri general_where(const Expr& pred, Value& held);
  std::optional<Date> as_of_;
  bool as_of_ready_ = false;
  Value as_of_value_;
  // The value of each param at as_of (with overrides), once as_of is known.
  bool params_ready_ = false;
  std::vector<const Value*>& params_;
  std::vector<LetSlot>& lets_;
  std::vector<const Value*>& elements_;  // the elements of enclosing collection operations
  std::vector<std::vector<const Value*>>& spare_elements_;
  Workspace& ws_;

public:
  /// An empty list for a value the evaluation makes (Workspace::new_list).
  std::shared_ptr<List> new_list() { return ws_.new_list(); }

private:
  std::vector<std::string>* missing_ = nullptr;
  std::uint64_t steps_ = 0;
  const std::uint64_t budget_;  // options_.step_budget
  const bool use_cond_;          // options_.compiled_conditions
  EvalStats* const stats_;       // options_.stats
  int depth_ = 0;
  // Outcome scope.
  const EvaluationResult* partial_ = nullptr;
  Value minimum_met_;
  Value score_share_;
};

const Value& Evaluator::let_ref(std::uint32_t index, Span at) {
  auto& slot = lets_[index];
  if (!slot.done) {
    if (slot.busy) throw EvalError(fmt::format("let {} depends on itself", program_.lets[index].name), at);
    // The fast path (engine/compiled.hpp): the let built by its plan; else
    // evaluated as usual.
    const LetPlan* plan = program_.lets[index].plan.get();
    bool planned = false;
    if (plan && use_cond_ && !trace_) {
      std::optional<ElementsAside> aside;  // (a let first read inside a collection operation)
      if (!elements_.empty()) aside.emplace(*this);
      planned = planned_let(*plan, program_.lets[index].expr, slot);
    }
    if (!planned) evaluate_let(index, slot);
  }
  if (missing_)
    for (const auto& m : slot.missing) note_missing(m);
  return slot.value;
}

void Evaluator::evaluate_let(std::uint32_t index, LetSlot& slot) {
  // A let may be first needed inside a collection operation; it is still
  // evaluated where it was declared, outside any element. What it changes
  // is restored however it ends: an error in a message's hole is caught
  // and the evaluation goes on.
  ElementsAside aside(*this);
  struct Scope {
    Evaluator& ev;
    LetSlot& slot;
    std::vector<std::string>* saved_missing;
    ~Scope() {
      ev.missing_ = saved_missing;
      slot.busy = false;
    }
  } scope{*this, slot, missing_};
  slot.busy = true;
  slot.missing.clear();
  missing_ = &slot.missing;
  slot.value = eval(program_.lets[index].expr);
  slot.done = true;
}

namespace {
const Value kUnknown;
const Value kNull = Value::null();
const Value kTrue = Value::boolean(true);
const Value kFalse = Value::boolean(false);
const std::uint32_t kNoPosition = 0;  // what an empty subset points at
const Value& boolean_ref(bool b) { return b ? kTrue : kFalse; }
}  // namespace

namespace {
// A comparison of two known values of one kind, answered without building a
// value (apply_binary decides every other case, with its errors).
std::optional<bool> compare_same_kind(Op op, const Value& a, const Value& b) {
  std::optional<int> c = order_of(a, b);
  if (!c && a.kind() == Value::Kind::boolean && b.kind() == Value::Kind::boolean && (op == Op::eq || op == Op::ne))
    c = a.as_bool() == b.as_bool() ? 0 : 1;
  if (!c) return std::nullopt;
  switch (op) {
    case Op::eq: return *c == 0;
    case Op::ne: return *c != 0;
    case Op::lt: return *c < 0;
    case Op::le: return *c <= 0;
    case Op::gt: return *c > 0;
    case Op::ge: return *c >= 0;
    default: return std::nullopt;
  }
}
// Two numbers compared by a comparison operator (eq, ne, lt, le, gt, ge).
bool compare_numbers(Op op, Number a, Number b) {
  const auto c = a <=> b;
  switch (op) {
    case Op::eq: return c == 0;
    case Op::ne: return c != 0;
    case Op::lt: return c < 0;
    case Op::le: return c <= 0;
    case Op::gt: return c > 0;
    default: return c >= 0;  // Op::ge (join_sum_of takes no other)
  }
}
}  // namespace

// The fast path (engine/compiled.hpp). Each node adds its own steps
// without checking the budget: a tree is small, and run_cond and the loops
// of any() and all() check it. A node answers give_up (an operand null)
// for whatever it cannot decide exactly as the general evaluator would.

const Evaluator::CondFn Evaluator::kCondFns[CondNode::kConditions] = {
    c_truth, c_field_truth, c_not, c_and, c_or, c_compare, c_field_is, c_in, c_between, c_any, c_all, c_known,
};
const Evaluator::OperandFn Evaluator::kOperandFns[CondNode::kKinds - CondNode::kConditions] = {
    o_element_field, o_element_path, o_root_path, o_constant, o_param,         o_let,
    o_as_of,         o_count,        o_share,     o_sum_in,   o_outcome_value,
};
static_assert(static_cast<int>(CondNode::Kind::known) == CondNode::kConditions - 1);
static_assert(static_cast<int>(CondNode::Kind::outcome_value) == CondNode::kKinds - 1);

// The keys of a path node from `start`; null when one is absent (the
// general evaluator then notes it) or a value on the way is not a record.
const Value* Evaluator::path_from(const Value& start, const CondNode& c) {
  const Value* v = &start;
  for (const CondNode::Key& k : c.keys) {
    const Record* r = v->record_if();
    if (!r) return nullptr;
    std::atomic_ref<std::uint32_t> hint(k.hint);
    const std::uint32_t at = hint.load(std::memory_order_relaxed);
    if (at < r->fields.size() && Record::has_key(r->fields[at], k.name, k.id)) {
      v = &r->fields[at].value;
      continue;
    }
    const Field* f = r->find(k.name);
    if (!f) return nullptr;
    hint.store(static_cast<std::uint32_t>(f - r->fields.data()), std::memory_order_relaxed);
    v = &f->value;
  }
  return v;
}

const Value* Evaluator::o_element_field(Evaluator& ev, const CondNode& c, int) { return ev.element_field(c); }

const Value* Evaluator::o_element_path(Evaluator& ev, const CondNode& c, int) {
  ev.steps_ += c.steps;
  return c.index < ev.elements_.size() ? ev.path_from(*ev.elements_[c.index], c) : nullptr;
}

const Value* Evaluator::o_root_path(Evaluator& ev, const CondNode& c, int) {
  ev.steps_ += c.steps;
  return ev.path_from(ev.evidence_.root, c);
}

const Value* Evaluator::o_constant(Evaluator& ev, const CondNode& c, int) {
  ev.steps_ += c.steps;
  return &c.value;
}

const Value* Evaluator::o_param(Evaluator& ev, const CondNode& c, int) {
  ev.steps_ += c.steps;
  return ev.params_ready_ ? ev.params_[c.index] : nullptr;
}

// A let not evaluated yet is evaluated here, as ref() would at this point
// (its steps are kept even if the condition then gives up). One whose
// absent evidence must be noted is left to the general evaluator.
const Value* Evaluator::o_let(Evaluator& ev, const CondNode& c, int) {
  ev.steps_ += c.steps;
  const auto& slot = ev.lets_[c.index];
  if (!slot.done) {
    const std::uint64_t before = ev.steps_;
    ev.let_ref(c.index, c.span);
    ev.let_steps_ += ev.steps_ - before;
  }
  return !ev.missing_ || slot.missing.empty() ? &slot.value : nullptr;
}

const Value* Evaluator::o_as_of(Evaluator& ev, const CondNode& c, int) {
  ev.steps_ += c.steps;
  return ev.as_of_ready_ ? &ev.as_of_value_ : nullptr;
}

const Value* Evaluator::o_count(Evaluator& ev, const CondNode& c, int slot) {
  ev.steps_ += c.steps;
  const Value* list = ev.read(c.kids[0], slot);
  if (!list || list->kind() != Value::Kind::list) return nullptr;  // unknown, or an error to report
  return ev.number_in(slot, Number(static_cast<std::int64_t>(list->as_list().items.size())));
}

// share(PART, WHOLE) of two lists; a share of nothing (unknown) and
// anything but two lists are left to the general evaluator.
const Value* Evaluator::o_share(Evaluator& ev, const CondNode& c, int slot) {
  ev.steps_ += c.steps;
  const Value* part = ev.read(c.kids[0], slot);
  if (!part || part->kind() != Value::Kind::list) return nullptr;
  const Value* whole = ev.read(c.kids[1], slot);
  if (!whole || whole->kind() != Value::Kind::list || whole->as_list().items.empty()) return nullptr;
  auto n = Number::fraction(static_cast<std::int64_t>(part->as_list().items.size()),
                            static_cast<std::int64_t>(whole->as_list().items.size()));
  if (!n) return nullptr;
  return ev.number_in(slot, *n);
}

// sum(C where NEEDLE in .F, E) through the hash index of C by F, the one
// the general evaluator builds for the `where` (index_matches), once per
// evaluation; built here when it has not been yet (join_index).
const Value* Evaluator::o_sum_in(Evaluator& ev, const CondNode& c, int slot) {
  ev.steps_ += c.steps;
  const Value* collection = ev.operand(c.kids[0], slot);
  if (!collection || collection->kind() != Value::Kind::list) return nullptr;
  const auto& items = collection->as_list().items;
  const InIndex* index = ev.join_index(*collection, c);
  if (!index) return nullptr;
  const Value* needle = ev.read(c.kids[1], slot);
  if (!needle || !InIndex::can_find(*needle)) return nullptr;
  Number total;
  for (auto i : index->find(*needle)) {
    ev.push_element(items[i]);
    const Value* v = ev.read(c.kids[3], slot);
    ev.pop_element();
    if (!v || v->kind() != Value::Kind::number) return nullptr;  // unknown, or an error to report
    auto sum = Number::add(total, v->as_number());
    if (!sum) return nullptr;
    total = *sum;
  }
  return ev.number_in(slot, total);
}

const Evaluator::InIndex* Evaluator::join_index(const Value& collection, const CondNode& c) {
  const CondNode& field = c.kids[2];
  if (const InIndex* built = built_index(collection.as_list(), field)) return built;
  if (field.keys.size() != 1 || c.index == 0) return nullptr;
  const auto& items = collection.as_list().items;
  const std::uint64_t steps = items.size() * std::uint64_t{field.steps};
  if (steps_ + steps > budget_) return nullptr;
  InIndex& index = index_of(c.index, field.keys[0].name, field.index);
  refresh(index, collection.list_ptr(), [&](const Value& item) { return path_from(item, field); });
  if (!index.usable) {
    index.list.reset();  // built again by the general evaluator
    return nullptr;
  }
  // Kept even if the condition then gives up, as a let's are: the general
  // evaluator finds the index built and does not count them again.
  steps_ += steps;
  let_steps_ += steps;
  return &index;
}

Evaluator::Tri Evaluator::c_truth(Evaluator& ev, const CondNode& c) {
  ev.steps_ += c.steps;
  const Value* v = ev.operand(c.kids[0], 0);
  if (!v) return Tri::give_up;
  if (v->kind() == Value::Kind::boolean) return of_bool(v->as_bool());
  return v->is_unknown() ? Tri::unknown : Tri::give_up;  // anything else is an error to report
}

Evaluator::Tri Evaluator::c_field_truth(Evaluator& ev, const CondNode& c) {
  const Value* v = ev.element_field(c);
  if (!v) return Tri::give_up;
  if (v->kind() == Value::Kind::boolean) return of_bool(v->as_bool());
  return v->is_unknown() ? Tri::unknown : Tri::give_up;
}

Evaluator::Tri Evaluator::c_not(Evaluator& ev, const CondNode& c) {
  ev.steps_ += c.steps;
  const CondNode& kid = c.kids[0];
  const Tri t = kid.kind == CondNode::Kind::field_truth ? c_field_truth(ev, kid) : ev.cond(kid);
  return t == Tri::yes ? Tri::no : t == Tri::no ? Tri::yes : t;
}

// Kleene, short-circuit as logic_ref: false decides and, true decides or.
template <bool is_and>
Evaluator::Tri Evaluator::and_or(const CondNode& c) {
  constexpr Tri decides = is_and ? Tri::no : Tri::yes;
  steps_ += c.steps;
  const Tri a = cond(c.kids[0]);
  if (a == Tri::give_up || a == decides) return a;
  const Tri b = cond(c.kids[1]);
  if (b == Tri::give_up || b == decides) return b;
  if (a == Tri::unknown || b == Tri::unknown) return Tri::unknown;
  return is_and ? Tri::yes : Tri::no;
}

Evaluator::Tri Evaluator::c_and(Evaluator& ev, const CondNode& c) { return ev.and_or<true>(c); }
Evaluator::Tri Evaluator::c_or(Evaluator& ev, const CondNode& c) { return ev.and_or<false>(c); }

Evaluator::Tri Evaluator::c_compare(Evaluator& ev, const CondNode& c) {
  if (c.kids[0].kind == CondNode::Kind::share) return ev.share_compare(c);
  ev.steps_ += c.steps;
  const Value* v[3];
  if (!ev.read_kids<2>(c, v)) return Tri::give_up;
  const Value* a = v[0];
  const Value* b = v[1];
  // Whole numbers, dates and strings for (in)equality, the commonest,
  // compared here; the rest as binary_ref compares them.
  if (a->kind() == b->kind()) {
    std::int64_t x = 0, y = 0;
    bool quick = false;
    if (a->kind() == Value::Kind::date) {
      x = a->as_date().days;
      y = b->as_date().days;
      quick = true;
    } else if (a->kind() == Value::Kind::number && a->as_number().den() == b->as_number().den()) {
      x = a->as_number().num();
      y = b->as_number().num();
      quick = true;
    } else if (a->kind() == Value::Kind::string && (c.op == Op::eq || c.op == Op::ne)) {  // a kind, a code
      return of_bool(Record::same_key(a->as_string(), b->as_string()) == (c.op == Op::eq));
    }
    if (quick) {
      switch (c.op) {
        case Op::eq: return of_bool(x == y);
        case Op::ne: return of_bool(x != y);
        case Op::lt: return of_bool(x < y);
        case Op::le: return of_bool(x <= y);
        case Op::gt: return of_bool(x > y);
        case Op::ge: return of_bool(x >= y);
        default: break;
      }
    }
  }
  return compare_rest(c.op, *a, *b);  // a call at the end: the node itself stays a leaf
}

// share(PART, WHOLE) OP T, T a number: decided as c_compare decides it
// with o_share's fraction (same steps, same give-ups), but from the two
// counts, p·den OP num·w, without forming and normalising the fraction.
Evaluator::Tri Evaluator::share_compare(const CondNode& c) {
  steps_ += c.steps;
  const CondNode& share = c.kids[0];
  steps_ += share.steps;
  const Value* part = read(share.kids[0], 0);
  if (!part || part->kind() != Value::Kind::list) return Tri::give_up;
  const Value* whole = read(share.kids[1], 0);
  if (!whole || whole->kind() != Value::Kind::list || whole->as_list().items.empty()) return Tri::give_up;
  const auto p = static_cast<std::int64_t>(part->as_list().items.size());
  const auto w = static_cast<std::int64_t>(whole->as_list().items.size());
  const Value* t = operand(c.kids[1], 1);
  if (!t) return Tri::give_up;
  if (t->kind() != Value::Kind::number) {
    const auto n = Number::fraction(p, w);
    return n ? compare_rest(c.op, Value::number(*n), *t) : Tri::give_up;
  }
  const Number limit = t->as_number();  // den > 0, and w > 0
  const __int128 l = static_cast<__int128>(p) * limit.den(), r = static_cast<__int128>(limit.num()) * w;
  const auto order = l < r ? std::strong_ordering::less : l > r ? std::strong_ordering::greater : std::strong_ordering::equal;
  switch (c.op) {
    case Op::eq: return of_bool(order == 0);
    case Op::ne: return of_bool(order != 0);
    case Op::lt: return of_bool(order < 0);
    case Op::le: return of_bool(order <= 0);
    case Op::gt: return of_bool(order > 0);
    case Op::ge: return of_bool(order >= 0);
    default: return Tri::give_up;
  }
}

// `.f == "text"` or `.f != "text"`: as c_compare decides it, with the
// field read and the text known without calling a node for either.
Evaluator::Tri Evaluator::c_field_is(Evaluator& ev, const CondNode& c) {
  const Value* v = ev.element_field(c);  // counts the comparison's steps, the field's and the text's
  if (!v) return Tri::give_up;
  if (v->kind() == Value::Kind::string)
    return of_bool(Record::same_key(v->as_string(), c.value.as_string()) == (c.op == Op::eq));
  return ev.compare_rest(c.op, *v, c.value);
}

Evaluator::Tri Evaluator::compare_rest(Op op, const Value& a, const Value& b) {
  if (auto r = compare_same_kind(op, a, b)) return of_bool(*r);
  return Tri::give_up;  // null, unknown, mixed kinds: as apply_binary decides
}

Evaluator::Tri Evaluator::c_in(Evaluator& ev, const CondNode& c) {
  ev.steps_ += c.steps;
  const Value* v[3];
  if (!ev.read_kids<2>(c, v)) return Tri::give_up;
  const Value* a = v[0];
  const Value* b = v[1];
  if (!a->is_known() || a->is_null() || b->kind() != Value::Kind::list) return Tri::give_up;
  const auto& items = b->as_list().items;
  if (a->kind() == Value::Kind::string && items.size() <= 16) {  // the commonest: a kind, a code, an id
    const std::string& want = a->as_string();
    for (const auto& item : items) {
      if (item.kind() != Value::Kind::string) return Tri::give_up;  // unknown, null or mixed: as apply_binary decides
      if (Record::same_key(item.as_string(), want)) return Tri::yes;
    }
    return Tri::no;
  }
  return ev.in_rest(*a, *b);  // a call at the end: the node itself stays a leaf
}

Evaluator::Tri Evaluator::in_rest(const Value& a, const Value& list) {
  const auto& items = list.as_list().items;
  if (items.size() > 16)  // as apply_binary: long lists through their membership index
    if (const auto* index = membership_index(list); index && index->kind == a.kind())
      return of_bool(index->keys.count(a) > 0);
  for (const auto& item : items) {
    if (item.kind() != a.kind()) return Tri::give_up;  // unknown, null or mixed: as apply_binary decides
    if (same(item, a)) return Tri::yes;
  }
  return Tri::no;
}

Evaluator::Tri Evaluator::c_between(Evaluator& ev, const CondNode& c) {
  ev.steps_ += c.steps;
  const Value* v[3];
  if (!ev.read_kids<3>(c, v)) return Tri::give_up;
  if (v[0]->kind() == Value::Kind::date && v[1]->kind() == Value::Kind::date && v[2]->kind() == Value::Kind::date) {
    const auto x = v[0]->as_date().days;  // the commonest: a date within a period
    return of_bool(v[1]->as_date().days <= x && x <= v[2]->as_date().days);
  }
  return between_rest(*v[0], *v[1], *v[2]);  // a call at the end: the node itself stays a leaf
}

Evaluator::Tri Evaluator::between_rest(const Value& x, const Value& lo, const Value& hi) {
  const auto low = order_of(lo, x);   // lo <= x
  const auto high = order_of(x, hi);  // x <= hi
  if (!low || !high) return Tri::give_up;  // unknown, null, mixed or unordered: as between() decides
  return of_bool(*low <= 0 && *high <= 0);
}

template <bool is_any>
Evaluator::Tri Evaluator::any_all(const CondNode& c) {
  steps_ += c.steps;
  const Value* list = read(c.kids[0], 0);
  if (!list || list->kind() != Value::Kind::list) return Tri::give_up;
  const auto& items = list->as_list().items;
  if (items.empty()) return is_any ? Tri::no : Tri::yes;
  // One element slot, rebound to each item in turn.
  const std::size_t depth = elements_.size();
  push_element(items.front());
  Tri result = is_any ? Tri::no : Tri::yes;
  for (const Value& item : items) {
    if (steps_ > budget_) { result = Tri::give_up; break; }
    elements_[depth] = &item;
    const Tri t = cond(c.kids[1]);
    if (t == Tri::give_up) { result = t; break; }
    if (t == Tri::unknown) result = Tri::unknown;
    else if ((t == Tri::yes) == is_any) { result = t; break; }  // one true decides any, one false all
  }
  pop_element();
  return result;
}

// known(x): false only for unknown; an error is the general evaluator's to report.
Evaluator::Tri Evaluator::c_known(Evaluator& ev, const CondNode& c) {
  ev.steps_ += c.steps;
  const Value* v = ev.operand(c.kids[0], 0);
  if (!v || v->is_error()) return Tri::give_up;
  return of_bool(!v->is_unknown());
}

// The outcome's values, as ref_node answers them (set before the outcome's labels).
const Value* Evaluator::o_outcome_value(Evaluator& ev, const CondNode& c, int) {
  ev.steps_ += c.steps;
  return c.index == 0 ? &ev.minimum_met_ : &ev.score_share_;
}

Evaluator::Tri Evaluator::c_any(Evaluator& ev, const CondNode& c) { return ev.any_all<true>(c); }
Evaluator::Tri Evaluator::c_all(Evaluator& ev, const CondNode& c) { return ev.any_all<false>(c); }

Value Evaluator::eval(const Expr& e) {
  Value scratch;
  const Value& r = ref(e, scratch);
  if (&r == &scratch) return scratch;
  return r;
}

// ref() while explaining: every node outside collection operations is
// recorded with its value (and, for evidence, where it was written).
const Value& Evaluator::ref_traced(const Expr& e, Value& scratch) {
  const Value& v = ref_node(e, scratch);
  std::string origin;
  if (e.op == Op::evidence || e.op == Op::field || e.op == Op::index) origin = origin_of(e);
  trace_->push_back({&e, v.owned(), std::move(origin)});
  return v;
}

// A field of a record. The result lives as long as `base` does, or is
// `scratch`.
const Value& Evaluator::field_ref(const Value& base, const std::string& key, const Expr& at) {
  switch (base.kind()) {
    case Value::Kind::unknown:
    case Value::Kind::error: return base;
    case Value::Kind::null: return kNull;  // a field of "none" is none
    case Value::Kind::record: {
      const auto& r = base.as_record();
      if (&key == &at.name) {
        if (const auto* f = find_field(r, at)) return f->value;
      } else if (const auto* f = r.find(key)) {
        return f->value;
      }
      if (missing_) note_missing(child_path(r.path, key));
      return kUnknown;
    }
    default:
      fail(at, fmt::format("cannot take field '{}' of {} ({})", key, kind_name(base.kind()), to_display(base)));
  }
}

// What `ref` returns for a part of `base` when `base` may be the temporary
// `held`: a part of a temporary is copied to `scratch` before `held` dies.
static const Value& keep(const Value& part, const Value& base, const Value& held, Value& scratch) {
  if (&base == &held && &part != &kUnknown && &part != &kNull) {
    scratch = part;
    return scratch;
  }
  return part;
}

// The hot operators go to small handlers that count their own step and
// level (Enter); everything else to general_ref.
const Value& Evaluator::ref_node(const Expr& e, Value& scratch) {
  if (is_binary(e.op)) return binary_ref(e, scratch);
  switch (e.op) {
    case Op::not_: return not_ref(e);
    case Op::and_:
    case Op::or_: return logic_ref(e);
    case Op::call: return call_ref(e, scratch);
    default: return general_ref(e, scratch);
  }
}

void Evaluator::over_budget(const Expr& e) {
  fail(e, fmt::format("evaluation step budget of {} exceeded (raise it with --max-steps)", options_.step_budget));
}

void Evaluator::too_deep(const Expr& e) { fail(e, "expression evaluation nested too deeply"); }

[[gnu::noinline]] const Value& Evaluator::not_ref(const Expr& e) {
  Enter enter(*this, e);
  Value held;
  const Value& v = ref(e.args[0], held);
  if (v.kind() == Value::Kind::boolean) [[likely]] return boolean_ref(!v.as_bool());
  if (v.is_unknown()) return kUnknown;
  fail(e, fmt::format("'not' needs a boolean, got {}", kind_name(v.kind())));
}

[[gnu::noinline]] const Value& Evaluator::call_ref(const Expr& e, Value& scratch) {
  Enter enter(*this, e);
  return call_builtin(*this, e, scratch);
}

const Value& Evaluator::general_ref(const Expr& e, Value& scratch) {
  Enter enter(*this, e);
  switch (e.op) {
    case Op::constant: return e.value;
    case Op::param: return param_value(param_in_force(e.index), as_of_);
    case Op::let: return let_ref(e.index, e.span);
    case Op::as_of: return scratch = as_of_ ? Value::date(*as_of_) : Value::unknown();
    case Op::evidence: return field_ref(evidence_.root, e.name, e);
    case Op::element:
      if (e.index >= elements_.size()) fail(e, "'.' used outside a collection operation");
      return *elements_[e.index];
    case Op::field: {
      Value held;
      const Value& base = ref(e.args[0], held);
      return keep(field_ref(base, e.name, e), base, held, scratch);
    }
    case Op::index: return index_ref(e, scratch);
    case Op::list: {
      auto list = new_list();
      list->items.reserve(e.args.size());
      for (const auto& a : e.args) list->items.push_back(eval(a));
      return scratch = Value::list(std::move(list));
    }
    case Op::negate: return negate_ref(e, scratch);
    case Op::if_: {
      Value held;
      const Value& c = ref(e.args[0], held);
      if (c.is_unknown()) return kUnknown;
      if (c.kind() != Value::Kind::boolean) fail(e.args[0], fmt::format("'if' needs a boolean, got {}", kind_name(c.kind())));
      return ref(e.args[c.as_bool() ? 1 : 2], scratch);
    }
    case Op::where: {
      Value held;
      const Value& c = ref(e.args[0], held);
      return scratch = filter(e, c);
    }
    case Op::minimum_met: return minimum_met_;
    case Op::score_share: return score_share_;
    case Op::verdict_of: {
      if (!partial_) fail(e, "verdict() is only available in the outcome");
      for (const auto& r : partial_->indicators)
        if (r.id == e.name) return scratch = Value::string(to_string(r.verdict));
      return kUnknown;
    }
    default: fail(e, "unsupported operator");  // ref_node sent the others elsewhere
  }
}

[[gnu::noinline]] const Value& Evaluator::index_ref(const Expr& e, Value& scratch) {
  Value held, key_held;
  const Value& base = ref(e.args[0], held);
  const Value& key = ref(e.args[1], key_held);
  if (!base.is_known()) return keep(base, base, held, scratch);
  if (!key.is_known()) return keep(key, key, key_held, scratch);
  if (base.is_null()) return kNull;
  if (base.kind() == Value::Kind::record && key.kind() == Value::Kind::string)
    return keep(field_ref(base, key.as_string(), e), base, held, scratch);
  if (base.kind() == Value::Kind::list && key.kind() == Value::Kind::number && key.as_number().is_integer()) {
    auto i = key.as_number().num();
    const auto& items = base.as_list().items;
    if (i < 0 || static_cast<std::size_t>(i) >= items.size()) return kUnknown;
    return keep(items[static_cast<std::size_t>(i)], base, held, scratch);
  }
  fail(e, fmt::format("cannot index {} with {}", kind_name(base.kind()), kind_name(key.kind())));
}

[[gnu::noinline]] const Value& Evaluator::negate_ref(const Expr& e, Value& scratch) {
  Value held;
  const Value& v = ref(e.args[0], held);
  if (!v.is_known() || v.is_null()) return keep(v, v, held, scratch);
  if (v.kind() == Value::Kind::duration) {  // -(1 year + 1 day): as the literal -(1 year) is
    const Duration d = v.as_duration();
    if (d.months == INT32_MIN || d.days == INT32_MIN) fail(e, "duration overflow");
    return scratch = Value::duration(Duration{-d.months, -d.days});
  }
  if (v.kind() != Value::Kind::number) fail(e, fmt::format("cannot negate {}", kind_name(v.kind())));
  auto r = v.as_number().negate();
  if (!r) fail(e, "number overflow");
  return scratch = Value::number(*r);
}

// Kleene and/or: false and x = false, true or x = true, whatever x is.
[[gnu::noinline]] const Value& Evaluator::logic_ref(const Expr& e) {
  Enter enter(*this, e);
  const bool is_and = e.op == Op::and_;
  auto check = [&](const Value& v, const Expr& at) {
    if (!v.is_unknown() && v.kind() != Value::Kind::boolean) [[unlikely]]
      fail(at, fmt::format("'{}' needs booleans, got {}", is_and ? "and" : "or", kind_name(v.kind())));
  };
  Value held;
  const Value& a = ref(e.args[0], held);
  check(a, e.args[0]);
  if (a.kind() == Value::Kind::boolean && a.as_bool() != is_and) return boolean_ref(a.as_bool());
  const bool a_unknown = a.is_unknown();
  const Value& b = ref(e.args[1], held);  // a is no longer needed
  check(b, e.args[1]);
  if (b.kind() == Value::Kind::boolean && b.as_bool() != is_and) return boolean_ref(b.as_bool());
  if (a_unknown || b.is_unknown()) return kUnknown;
  return boolean_ref(is_and);
}


[[gnu::noinline]] const Value& Evaluator::binary_ref(const Expr& e, Value& scratch) {
  Enter enter(*this, e);
  Value held_a, held_b;
  const Value& a = ref(e.args[0], held_a);
  const Value& b = ref(e.args[1], held_b);
  if (auto r = compare_same_kind(e.op, a, b)) return boolean_ref(*r);
  return scratch = apply_binary(*this, e, a, b);
}

// Where an evidence value was written: its path, file and line.
std::string Evaluator::origin_of(const Expr& e) {
  const Record* parent = nullptr;
  std::string key = e.name;
  if (e.op == Op::evidence) {
    parent = &evidence_.root.as_record();
  } else {
    auto* saved = trace_;
    trace_ = nullptr;
    Value base;
    const std::size_t depth = elements_.size();
    try {
      base = eval(e.args[0]);
      if (e.op == Op::index) {
        Value k = eval(e.args[1]);
        key = k.kind() == Value::Kind::string ? k.as_string() : std::string();
      }
    } catch (const EvalError&) {
      elements_.resize(depth);  // as render_message
    }
    trace_ = saved;
    if (base.kind() == Value::Kind::record) parent = &base.as_record();
  }
  if (!parent || key.empty()) return {};
  std::string path = child_path(parent->path, key);
  std::string file = evidence_.source ? evidence_.source->name() : std::string("evidence");
  if (const auto* f = parent->find(key)) return fmt::format("{} ({}:{})", path, file, f->mark.line);
  return fmt::format("{} (absent; {} at {}:{})", path, parent->path.empty() ? "top level" : parent->path, file, parent->mark.line);
}

// `C where PRED` on the evaluated C.
Value Evaluator::filter(const Expr& e, const Value& c) {
  if (c.is_unknown()) return c;
  if (c.kind() != Value::Kind::list) fail(e.args[0], fmt::format("'where' needs a list, got {}", kind_name(c.kind())));
  const auto& list = c.as_list();
  // A derived list has no path of its own: paths name evidence, and only
  // evidence records' paths are read (absent fields, origins).
  auto out = new_list();
  if (const auto matches = index_matches(e, c)) {
    out->items.reserve(matches->size);
    for (auto i : *matches) out->items.push_back(Value::borrow(list.items[i]));
    return Value::list(std::move(out));
  }

  // The kept items go into `out` as borrowed records: the evaluation's lists
  // point at evidence records instead of sharing them (no reference count
  // to touch now or when the list dies); the values a result reports are
  // made owned again (Value::owned).
  KeptScope scope(list.items.size());
  Kept& kept = scope.kept;
  if (keep_items(e, list, kept)) return Value::unknown();
  // Constructed in one pass over the pointers (no call per item).
  struct Borrowed {
    using iterator_category = std::forward_iterator_tag;
    using value_type = Value;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Value;
    const Value* const* at;
    Value operator*() const { return Value::borrow(**at); }
    Borrowed& operator++() { ++at; return *this; }
    Borrowed operator++(int) { Borrowed b = *this; ++at; return b; }
    bool operator==(const Borrowed& o) const { return at == o.at; }
  };
  out->items.assign(Borrowed{kept.begin}, Borrowed{kept.at});
  return Value::list(std::move(out));
}

bool Evaluator::keep_items(const Expr& e, const List& list, Kept& kept) {
  bool unknown = false;
  const Expr& pred = e.args[1];
  const CondNode* fast = compiled(pred);
  if (const Flag flag = flag_of(fast, elements_.size()); flag.field) {
    filter_by_flag(flag, pred, list, kept, unknown);
  } else if (const JoinSum join = fast ? join_sum_of(*fast, elements_.size()) : JoinSum{}; join.sum) {
    filter_by_join(join, *fast, pred, list, kept, unknown);
  } else if (fast) {
    filter_compiled(*fast, pred, list, kept, unknown);
  } else {
    Value held;  // what the condition may return into, reused
    for (const Value& item : list.items) {
      push_element(item);
      const Tri t = general_where(pred, held);
      pop_element();
      if (t == Tri::unknown) unknown = true;
      else if (t == Tri::yes) kept.push_back(&item);
    }
  }
  return unknown;
}

bool Evaluator::planned_let(const LetPlan& plan, const Expr& e, LetSlot& slot) {
  using K = LetPlan::Kind;
  if (depth_ >= kMaxDepth) return false;  // the general evaluator reports it
  // As let_ref: the let is busy while it is built, and what it finds
  // absent (in an item the general evaluator decides) is its own.
  struct Scope {
    Evaluator& ev;
    LetSlot& slot;
    std::vector<std::string>* saved_missing;
    std::uint64_t outer_let_steps;
    ~Scope() {
      slot.busy = false;
      ev.missing_ = saved_missing;
      ev.let_steps_ = outer_let_steps;
      --ev.depth_;
    }
  } scope{*this, slot, missing_, let_steps_};
  ++depth_;
  slot.busy = true;
  slot.missing.clear();
  missing_ = &slot.missing;
  // Reading the source: the only part that gives up. Its steps are taken
  // back then, but for the lets it evaluated (as run_cond does).
  const std::uint64_t saved = steps_;
  let_steps_ = 0;
  steps_ += plan.steps;
  const Value* source = operand(plan.source, 0);
  const Value* per = nullptr;
  if (source && plan.kind == K::shift) per = operand(plan.per, 1);
  const bool usable = source && steps_ <= budget_ &&
                      (plan.kind == K::operand ? true
                       : plan.kind == K::shift ? per && source->kind() == Value::Kind::date &&
                                                     per->kind() == Value::Kind::duration
                                               : source->kind() == Value::Kind::list);
  std::optional<Date> shifted;
  if (usable && plan.kind == K::shift) shifted = add(source->as_date(), per->as_duration(), plan.sign);
  if (!usable || (plan.kind == K::shift && !shifted)) {
    steps_ = saved + let_steps_;
    if (stats_) [[unlikely]] ++stats_->gave_up;
    return false;
  }
  switch (plan.kind) {
    case K::operand: slot.value = *source; break;
    case K::shift: slot.value = Value::date(*shifted); break;
    case K::filter: slot.value = filter(e, *source); break;
    case K::distinct: {
      const List& list = source->as_list();
      if (!plan.filtered) {
        slot.value = distinct_of(plan, e.args[1], list.items);
        break;
      }
      KeptScope scope(list.items.size());
      if (keep_items(e.args[0], list, scope.kept)) {
        slot.value = Value::unknown();
        break;
      }
      struct KeptItems {  // the items kept, as distinct_of reads them
        const Value* const* from;
        const Value* const* to;
        std::size_t size() const { return static_cast<std::size_t>(to - from); }
        const Value& operator[](std::size_t k) const { return *from[k]; }
      };
      slot.value = distinct_of(plan, e.args[1], KeptItems{scope.kept.begin, scope.kept.at});
      break;
    }
  }
  if (stats_) [[unlikely]] ++stats_->answered;
  slot.done = true;
  return true;
}

// As call_builtin's distinct(), with the value per item read on the fast
// path where it can be.
template <class Items>
Value Evaluator::distinct_of(const LetPlan& plan, const Expr& per_expr, const Items& items) {
  auto out = new_list();
  const std::size_t n = items.size();
  out->items.reserve(n);
  DistinctValues kept(out->items);
  bool unknown = false;
  Value held;
  push_element(kNull);
  for (std::size_t k = 0; k < n; ++k) {
    elements_[0] = &items[k];
    const std::uint64_t before = steps_;
    const Value* v = steps_ + plan.per.steps <= budget_ ? read(plan.per, 0) : nullptr;
    if (!v) {  // evaluated as usual, counting its steps (read() counted them already)
      steps_ = before;
      v = &ref(per_expr, held);
    }
    if (v->is_unknown()) { unknown = true; continue; }
    kept.add(*v);
  }
  pop_element();
  if (unknown) return Value::unknown();
  return Value::list(std::move(out));
}

Evaluator::Tri Evaluator::general_where(const Expr& pred, Value& held) {
  const Value& keep = ref(pred, held);
  if (!keep.is_unknown() && keep.kind() != Value::Kind::boolean)
    fail(pred, fmt::format("the condition after 'where' must be a boolean, got {}", kind_name(keep.kind())));
  return keep.is_unknown() ? Tri::unknown : keep.as_bool() ? Tri::yes : Tri::no;
}

void Evaluator::filter_compiled(const CondNode& fast, const Expr& pred, const List& list, Kept& out, bool& unknown) {
  if (list.items.empty()) return;
  // One element slot, rebound to each item in turn.
  const std::size_t depth = elements_.size();
  push_element(list.items.front());
  Value held;
  for (const Value& item : list.items) keep_compiled(fast, pred, item, depth, held, out, unknown);
  pop_element();
}

Evaluator::JoinSum Evaluator::join_sum_of(const CondNode& c, std::size_t depth) const {
  using K = CondNode::Kind;
  if (c.kind != K::compare || c.kids[0].kind != K::sum_in) return {};
  if (c.op != Op::eq && c.op != Op::ne && c.op != Op::lt && c.op != Op::le && c.op != Op::gt && c.op != Op::ge)
    return {};
  const CondNode& threshold = c.kids[1];
  const CondNode& sum = c.kids[0];
  const CondNode& collection = sum.kids[0];
  const CondNode& needle = sum.kids[1];
  const CondNode& field = sum.kids[2];
  const CondNode& per = sum.kids[3];
  if (threshold.kind != K::param && threshold.kind != K::constant) return {};
  if (collection.kind != K::let && collection.kind != K::root_path && collection.kind != K::param &&
      collection.kind != K::constant)
    return {};
  if (needle.kind != K::element_field || needle.index != depth) return {};
  if (field.index != depth + 1) return {};
  const bool per_joined = (per.kind == K::element_field || per.kind == K::element_path) && per.index == depth + 1;
  if (!per_joined && per.kind != K::constant) return {};
  return {&sum, std::uint64_t{c.steps} + sum.steps + collection.steps + needle.steps + threshold.steps};
}

void Evaluator::filter_by_join(const JoinSum& j, const CondNode& fast, const Expr& pred, const List& list, Kept& out,
                               bool& unknown) {
  if (list.items.empty()) return;
  const CondNode& sum = *j.sum;
  const std::size_t depth = elements_.size();
  push_element(list.items.front());
  Value held;
  auto as_compiled = [&](const Value& item) { keep_compiled(fast, pred, item, depth, held, out, unknown); };
  as_compiled(list.items.front());
  // What the other items are answered with: C (a let only once evaluated, so
  // that nothing is evaluated out of turn), its index, and T.
  const InIndex* index = nullptr;
  const Value* threshold = nullptr;
  if (list.items.size() > 1 && (sum.kids[0].kind != CondNode::Kind::let || lets_[sum.kids[0].index].done)) {
    const std::uint64_t saved = steps_;  // counted per item below
    const Value* collection = operand(sum.kids[0], 0);
    threshold = operand(fast.kids[1], 1);
    steps_ = saved;
    if (collection && collection->kind() == Value::Kind::list && threshold && threshold->kind() == Value::Kind::number)
      index = built_index(collection->as_list(), sum.kids[2]);
  }
  if (!index) {
    for (std::size_t k = 1; k < list.items.size(); ++k) as_compiled(list.items[k]);
    pop_element();
    return;
  }
  const CondNode& needle = sum.kids[1];
  const CondNode& per = sum.kids[3];
  const auto& joined = index->list->items;
  const Number limit = threshold->as_number();
  std::uint64_t answered = 0;
  // A field at its remembered position, else wherever path_from finds it.
  auto field = [this](const Value& item, const CondNode& c) -> const Value* {
    if (const Record* r = item.record_if(); r && c.keys.size() == 1)
      if (const Value* v = at_hint(*r, c)) [[likely]] return v;
    return path_from(item, c);
  };
  for (std::size_t k = 1; k < list.items.size(); ++k) {
    const Value& item = list.items[k];
    const Value* key = field(item, needle);
    if (!key || !InIndex::can_find(*key)) { as_compiled(item); continue; }
    const Matches matches = index->find(*key);
    const std::uint64_t steps = j.steps + matches.size * std::uint64_t{per.steps};
    if (steps_ + steps > budget_) { as_compiled(item); continue; }
    Number total;
    bool exact = true;
    for (auto i : matches) {
      const Value* v = per.kind == CondNode::Kind::constant ? &per.value : field(joined[i], per);
      std::optional<Number> next;
      if (v && v->kind() == Value::Kind::number) next = Number::add(total, v->as_number());
      if (!next) { exact = false; break; }
      total = *next;
    }
    if (!exact) { as_compiled(item); continue; }
    steps_ += steps;
    ++answered;
    if (compare_numbers(fast.op, total, limit)) out.push_back(&item);
  }
  pop_element();
  if (stats_) stats_->answered += answered;
}

void Evaluator::filter_by_flag(const Flag& f, const Expr& pred, const List& list, Kept& out, bool& unknown) {
  const CondNode& c = *f.field;
  const std::string_view key = c.keys[0].name;
  const std::uint32_t key_id = c.keys[0].id;
  std::atomic_ref<std::uint32_t> hint(c.keys[0].hint);
  std::uint32_t at = hint.load(std::memory_order_relaxed);
  const std::uint64_t per = f.steps, budget = budget_;
  std::uint64_t steps = steps_, answered = 0;  // kept here, not in members, for the loop
  Value held;
  for (const Value& item : list.items) {
    Tri t = Tri::give_up;
    if (const Record* r = item.record_if(); r && steps + per <= budget) {
      const Value* v;
      if (at < r->fields.size() && Record::has_key(r->fields[at], key, key_id)) [[likely]] {
        v = &r->fields[at].value;
      } else {
        v = path_from(item, c);
        at = hint.load(std::memory_order_relaxed);
      }
      if (v && v->kind() == Value::Kind::boolean) t = of_bool(v->as_bool() != f.negate);
      else if (v && v->is_unknown()) t = Tri::unknown;
    }
    if (t == Tri::give_up) {
      steps_ = steps;
      if (stats_) ++stats_->gave_up;
      push_element(item);
      t = general_where(pred, held);
      pop_element();
      steps = steps_;
    } else {
      steps += per;
      ++answered;
    }
    if (t == Tri::unknown) unknown = true;
    else if (t == Tri::yes) out.push_back(&item);
  }
  steps_ = steps;
  if (stats_) stats_->answered += answered;
}

const MembershipIndex* Evaluator::membership_index(const Value& value) {
  const List& list = value.as_list();
  if (ws_.membership_items + list.items.size() > Workspace::kMembershipItems && !membership_.count(&list)) {
    membership_.clear();  // (no index is in use: each is read and left before the next is asked for)
    ws_.membership_items = 0;
  }
  auto [it, fresh] = membership_.try_emplace(&list);
  if (fresh) {
    ws_.membership_items += list.items.size();
    // The entry holds the list, so that no other list can be made at its
    // address while the entry is there (a list built for one element and
    // freed would otherwise leave its index to the next one built there).
    it->second.list = value.list_ptr();
    MembershipIndex index;
    bool ok = !list.items.empty();
    for (const auto& item : list.items) {
      if (!item.is_known() || item.is_null() || item.kind() == Value::Kind::record || item.kind() == Value::Kind::list) { ok = false; break; }
      if (index.kind == Value::Kind::unknown) index.kind = item.kind();
      if (item.kind() != index.kind) { ok = false; break; }
      index.keys.insert(item);
    }
    if (ok) it->second.index = std::move(index);
  }
  return it->second.index ? &*it->second.index : nullptr;
}

namespace {
// Whether an expression reads an element at `depth` or deeper, or pushes elements itself.
bool reads_element_from(const Expr& e, std::uint32_t depth) {
  if (e.op == Op::element && e.index >= depth) return true;
  if (e.op == Op::where) return true;
  if (e.op == Op::call && e.args.size() >= 2 && e.fn != Builtin::share && e.fn != Builtin::between) return true;
  for (const auto& a : e.args)
    if (reads_element_from(a, depth)) return true;
  return false;
}
}  // namespace

// `C where NEEDLE in .FIELD`, with NEEDLE independent of C's element: the
// elements of C are indexed once by the values of FIELD, so each evaluation
// is a hash lookup instead of a scan (this makes `participants as p where
// sum(activities where p.id in .participants, …)` linear).
std::optional<Matches> Evaluator::index_matches(const Expr& e, const Value& collection) {
  if (trace_) return std::nullopt;
  std::atomic_ref<std::uint8_t> shape(e.index_shape);
  std::uint8_t indexable = shape.load(std::memory_order_relaxed);
  if (indexable == 0) {
    // The shape `C where NEEDLE in .FIELD`, NEEDLE not reading C's element.
    // The element stack is as deep wherever this `where` is evaluated (lets
    // are evaluated outside any element), so this is decided once.
    const Expr& pred = e.args[1];
    const auto depth = static_cast<std::uint32_t>(elements_.size());
    bool yes = pred.op == Op::in && pred.args[1].op == Op::field && pred.args[1].args[0].op == Op::element &&
               pred.args[1].args[0].index == depth && !reads_element_from(pred.args[0], depth);
    indexable = yes ? 2 : 1;
    shape.store(indexable, std::memory_order_relaxed);
  }
  if (indexable != 2) return std::nullopt;
  InIndex& index = index_of(e.where_id, e.args[1].args[1].name, e.args[1].args[1].args[0].index);
  const Expr& pred = e.args[1];
  const Expr& needle = pred.args[0];
  const Expr& field = pred.args[1];
  refresh(index, collection.list_ptr(), [&](const Value& item) -> const Value* {
    push_element(item);
    Value held;
    const Value& values = ref(field, held);
    pop_element();
    return &values == &held ? nullptr : &values;  // only evidence lists can be pointed into
  });
  if (!index.usable) return std::nullopt;
  Value held;
  const Value& n = ref(needle, held);
  if (!InIndex::can_find(n)) return std::nullopt;
  return index.find(n);
}

void Evaluator::InIndex::build() {
  std::size_t capacity = 16;
  while (capacity < entries.size() * 2) capacity *= 2;
  slots.assign(capacity, Slot{});
  mask = capacity - 1;
  constexpr std::uint32_t kNone = ~std::uint32_t{0};
  slot_of.resize(entries.size());
  last.assign(capacity, kNone);
  text.clear();
  // Each key's slot, and how many elements it lists (an element once).
  for (std::size_t k = 0; k < entries.size(); ++k) {
    const Value& key = *entries[k].first;
    const std::size_t h = ValueHash{}(key);
    std::size_t at = h & mask;
    while (slots[at].key && !(slots[at].hash == h && same(*slots[at].key, key))) at = (at + 1) & mask;
    if (!slots[at].key) {
      slots[at] = Slot{h, &key, 0, 0};
      if (key.kind() == Value::Kind::string) {
        slots[at].text_at = static_cast<std::uint32_t>(text.size());
        slots[at].text_size = static_cast<std::uint32_t>(key.as_string().size());
        text += key.as_string();
      }
    }
    slot_of[k] = static_cast<std::uint32_t>(at);
    if (last[at] != entries[k].second) {
      last[at] = entries[k].second;
      ++slots[at].count;
    }
  }
  std::uint32_t begin = 0;
  for (auto& slot : slots) {
    slot.begin = begin;
    begin += slot.count;
    slot.count = 0;
  }
  positions.resize(begin);
  std::fill(last.begin(), last.end(), kNone);
  for (std::size_t k = 0; k < entries.size(); ++k) {
    auto& slot = slots[slot_of[k]];
    if (last[slot_of[k]] == entries[k].second) continue;
    last[slot_of[k]] = entries[k].second;
    positions[slot.begin + slot.count++] = entries[k].second;
  }
}

Matches Evaluator::InIndex::find(const Value& key) const {
  const std::size_t h = ValueHash{}(key);
  const bool is_string = key.kind() == Value::Kind::string;
  const std::string_view want = is_string ? std::string_view(key.as_string()) : std::string_view();
  for (std::size_t at = h & mask; slots[at].key; at = (at + 1) & mask) {
    const Slot& slot = slots[at];
    if (slot.hash != h) continue;
    // A key that is not a string has no text (kNotText): it never has the size wanted.
    const bool hit = is_string ? slot.text_size == want.size() &&
                                     Record::same_key(std::string_view(text.data() + slot.text_at, want.size()), want)
                               : same(*slot.key, key);
    if (hit) return {positions.data() + slot.begin, slot.count};
  }
  return {};
}

Items Evaluator::items(const Expr& collection, Value& held) {
  if (collection.op == Op::where && collection.args[1].op == Op::in && !trace_) {
    const Value& c = ref(collection.args[0], held);
    if (c.kind() == Value::Kind::list) {
      if (const auto matches = index_matches(collection, c))
        return {&c, &c.as_list().items, matches->data ? matches->data : &kNoPosition, matches->size};
      // No index: evaluate the `where` as usual, on the collection already in hand.
      Value filtered = filter(collection, c);
      held = std::move(filtered);
      return items_of(held);
    }
    if (&c != &held) held = c;
    // Not a list: let the `where` report it as usual.
  }
  const Value& c = ref(collection, held);
  return items_of(c);
}

std::string Evaluator::render_message(const Message& m) {
  std::string out;
  for (const auto& part : m.parts) {
    if (!part.expr) { out += part.text; continue; }
    Value v;
    const std::size_t depth = elements_.size();
    try {
      v = eval(*part.expr);
    } catch (const EvalError& err) {
      // An error inside a collection operation leaves its element bound.
      elements_.resize(depth);
      v = Value::error(err.what());
    }
    if (part.percent && v.kind() == Value::Kind::number) out += v.as_number().to_percent();
    else if (v.kind() == Value::Kind::list) {
      // A list reads as its items: "analysis, support_plan" (or "none").
      const auto& items = v.as_list().items;
      std::string joined;
      for (std::size_t i = 0; i < items.size(); ++i) joined += (i ? ", " : "") + to_display(items[i]);
      out += items.empty() ? std::string("none") : joined;
    } else if (v.kind() == Value::Kind::null) {
      out += "none";  // known to be none (a strategy never reviewed), in words, not the evidence's `null`
    } else out += to_display(v);
  }
  return out;
}

// A name for what an expression measures, for people: a let's or an
// evidence field's name, else its source text.
std::string Evaluator::describe(const Expr& e) const {
  switch (e.op) {
    case Op::let: return program_.lets[e.index].name;
    case Op::evidence: return e.name;
    case Op::field:
      // A field of the current element (`.fte`) has no name of its own to
      // put in front: the element's span is the field's text already.
      if (e.args[0].op == Op::element && e.args[0].name.empty()) return "." + e.name;
      return describe(e.args[0]) + "." + e.name;
    case Op::element:
      if (!e.name.empty()) return e.name;  // `p` of `participants as p`
      break;
    default: break;
  }
  const auto& src = program_.source_of(e.span);
  if (src && e.span.end > e.span.begin && e.span.end <= src->text().size())
    return src->text().substr(e.span.begin, e.span.end - e.span.begin);
  return "the value";
}

namespace {

// An evidence value named by its path: a top-level field, then fields and
// constant keys (management.started, attestations["2.4"].met).
bool is_evidence_path(const Expr& e) {
  switch (e.op) {
    case Op::evidence: return true;
    case Op::field: return is_evidence_path(e.args[0]);
    case Op::index: return e.args[1].op == Op::constant && is_evidence_path(e.args[0]);
    default: return false;
  }
}

// How well an operand names what a gap is about: evidence (what can change)
// before a let before a param (a threshold); 0 for anything else (no gap).
int gap_subject_rank(const Expr& e) {
  if (is_evidence_path(e)) return 3;
  return e.op == Op::let ? 2 : e.op == Op::param ? 1 : 0;
}

// A limit cheap to evaluate again: constants, evidence paths, lets, params,
// as_of, and arithmetic on them (as_of - min_management_age).
bool is_gap_limit(const Expr& e, int depth = 0) {
  if (depth > 8) return false;
  switch (e.op) {
    case Op::constant:
    case Op::as_of: return true;
    case Op::negate: return is_gap_limit(e.args[0], depth + 1);
    case Op::add:
    case Op::sub:
    case Op::mul:
    case Op::div: return is_gap_limit(e.args[0], depth + 1) && is_gap_limit(e.args[1], depth + 1);
    default: return gap_subject_rank(e) > 0;
  }
}

// "1 day", "15 days".
std::string days_text(std::int64_t n) { return fmt::format("{} day{}", n, n == 1 ? "" : "s"); }

// What `what` (now `have`) must be for `have op limit` to hold, in words:
// "stories must be at least 2 (it is 1)", "management.started must be
// 2024-06-30 or earlier (it is 2024-07-15, 15 days later)". Numbers compare
// with any operator, dates with <, <=, > and >= (a strict bound on a date
// is the day before or after it); nullopt for other values, or when the
// comparison holds.
std::optional<std::string> value_gap(Op op, const std::string& what, const Value& have, const Value& limit) {
  if (compare_same_kind(op, have, limit).value_or(true)) return std::nullopt;  // it holds, or they do not compare
  if (have.kind() == Value::Kind::number) {
    if (op == Op::ne) return fmt::format("{} must not be {}", what, to_display(limit));
    const char* must = op == Op::ge ? "at least " : op == Op::gt ? "more than " : op == Op::le ? "at most "
                     : op == Op::lt ? "less than " : "exactly ";
    return fmt::format("{} must be {}{} (it is {})", what, must, to_display(limit), to_display(have));
  }
  if (have.kind() != Value::Kind::date || op == Op::eq || op == Op::ne) return std::nullopt;
  const std::int64_t v = have.as_date().days;
  const std::int64_t t = limit.as_date().days + (op == Op::lt ? -1 : op == Op::gt ? 1 : 0);
  if (t < INT32_MIN || t > INT32_MAX) return std::nullopt;
  const std::string bound = to_display(Value::date(Date{static_cast<std::int32_t>(t)}));
  if (op == Op::le || op == Op::lt)
    return fmt::format("{} must be {} or earlier (it is {}, {} later)", what, bound, to_display(have), days_text(v - t));
  return fmt::format("{} must be {} or later (it is {}, {} earlier)", what, bound, to_display(have), days_text(t - v));
}

}  // namespace

// The smallest change that makes a failed require hold, in words: for a
// comparison of a count, share or sum with a threshold ("3 of 30 …: 2
// more"), or of a number or date with a limit ("stories must be at least 2
// (it is 1)"); nullopt when none can be computed. It never throws: an error
// while evaluating again (out of steps, say) means no gap, and what it
// changed is put back.
std::optional<std::string> Evaluator::gap_for(const Expr& check) try {
  struct Restore {
    Evaluator& ev;
    std::size_t depth;
    std::vector<TraceEntry>* trace;
    ~Restore() {
      ev.elements_.resize(depth);  // an error inside a collection operation leaves its element bound
      ev.trace_ = trace;
    }
  } restore{*this, elements_.size(), trace_};
  trace_ = nullptr;  // the check's values are traced already
  // A number or date (an evidence path, let or param) compared with a limit.
  // The gap names the evidence (else the let) whichever side it is on.
  auto compared_gap = [&]() -> std::optional<std::string> {
    const Expr* subject = &check.args[0];
    const Expr* limit = &check.args[1];
    Op o = check.op;
    if (gap_subject_rank(*limit) > gap_subject_rank(*subject)) {
      std::swap(subject, limit);
      o = o == Op::lt ? Op::gt : o == Op::le ? Op::ge : o == Op::gt ? Op::lt : o == Op::ge ? Op::le : o;  // mirror
    }
    if (gap_subject_rank(*subject) == 0 || !is_gap_limit(*limit)) return std::nullopt;
    const Value have = eval(*subject);
    const Value want = eval(*limit);
    return value_gap(o, describe(*subject), have, want);
  };
  Op op = check.op;
  if (op == Op::eq || op == Op::ne) return compared_gap();
  if (op != Op::lt && op != Op::le && op != Op::gt && op != Op::ge) return std::nullopt;
  auto measure_of = [&](const Expr* e) -> const Expr* {
    while (e->op == Op::let) e = &program_.lets[e->index].expr;
    if (e->op == Op::call && (e->fn == Builtin::count || e->fn == Builtin::share || e->fn == Builtin::share_where ||
                              e->fn == Builtin::sum))
      return e;
    return nullptr;
  };
  const Expr* lhs = &check.args[0];
  const Expr* rhs = &check.args[1];
  const Expr* m = measure_of(lhs);
  if (!m) {
    m = measure_of(rhs);
    if (!m) return compared_gap();
    std::swap(lhs, rhs);
    op = op == Op::lt ? Op::gt : op == Op::le ? Op::ge : op == Op::gt ? Op::lt : Op::le;  // mirror
  }
  Value threshold_v = eval(*rhs);
  if (threshold_v.kind() != Value::Kind::number) return std::nullopt;
  Number t = threshold_v.as_number();
  const bool at_least = op == Op::ge || op == Op::gt;
  const char* cmp_words = op == Op::ge ? "at least" : op == Op::gt ? "more than" : op == Op::le ? "at most" : "fewer than";
  auto ceil_of = [](Number n) {
    std::int64_t q = n.num() / n.den();
    if (n.num() % n.den() != 0 && n.num() > 0) ++q;
    return q;
  };
  auto floor_of = [](Number n) {
    std::int64_t q = n.num() / n.den();
    if (n.num() % n.den() != 0 && n.num() < 0) --q;
    return q;
  };
  // The smallest (or largest) whole count that satisfies `count op t`.
  auto bound = [&](Number limit) -> std::int64_t {
    switch (op) {
      case Op::ge: return ceil_of(limit);
      case Op::gt: return floor_of(limit) + 1;
      case Op::le: return floor_of(limit);
      default: return ceil_of(limit) - 1;  // lt
    }
  };
  if (m->fn == Builtin::count) {
    Value c = eval(*m);
    if (c.kind() != Value::Kind::number) return std::nullopt;
    std::int64_t have = c.as_number().num(), need = bound(t);
    std::string what = describe(m->args[0]);
    if (at_least) return fmt::format("{} is {}; {} {} needed: {} more", what, have, cmp_words, t.to_string(), need - have);
    return fmt::format("{} is {}; {} {} allowed: {} fewer", what, have, cmp_words, t.to_string(), have - need);
  }
  if (m->fn == Builtin::sum) {
    Value c = eval(*m);
    if (c.kind() != Value::Kind::number) return std::nullopt;
    auto diff = Number::sub(t, c.as_number());
    if (!diff) return std::nullopt;
    std::string what = "the sum of " + describe(m->args[1]) + " over " + describe(m->args[0]);
    return fmt::format("{} is {}; {} {} needed: {} {}", what, c.as_number().to_string(), cmp_words, t.to_string(),
                       (at_least ? *diff : *diff->negate()).to_string(), at_least ? "more" : "less");
  }
  // share(part, whole) or share(c, PRED): the whole stays, the part moves.
  std::int64_t part = 0, whole = 0;
  std::string part_name, whole_name;
  if (m->fn == Builtin::share) {
    Value p = eval(m->args[0]), w = eval(m->args[1]);
    if (p.kind() != Value::Kind::list || w.kind() != Value::Kind::list) return std::nullopt;
    part = static_cast<std::int64_t>(p.as_list().items.size());
    whole = static_cast<std::int64_t>(w.as_list().items.size());
    part_name = describe(m->args[0]);
    whole_name = describe(m->args[1]);
  } else {
    Value w = eval(m->args[0]);
    Value s = eval(*m);
    if (w.kind() != Value::Kind::list || s.kind() != Value::Kind::number) return std::nullopt;
    whole = static_cast<std::int64_t>(w.as_list().items.size());
    auto p = Number::mul(s.as_number(), Number(whole));
    if (!p || !p->is_integer()) return std::nullopt;
    part = p->num();
    part_name = "those that qualify";
    whole_name = describe(m->args[0]);
  }
  if (whole == 0) return std::nullopt;
  auto limit = Number::mul(t, Number(whole));
  if (!limit) return std::nullopt;
  std::int64_t need = std::clamp<std::int64_t>(bound(*limit), 0, whole);
  // The part named first, as its let is named (`contacted: 5 of 30
  // participants`), so that the sentence holds whatever the names are
  // (`met_targets: 1 of 3 monitored_targets`).
  if (at_least)
    return fmt::format("{}: {} of {} {}; {} needed ({} {}): {} more", part_name, part, whole, whole_name, need,
                       cmp_words, t.to_percent(), need - part);
  return fmt::format("{}: {} of {} {}; at most {} allowed ({} {}): {} fewer", part_name, part, whole, whole_name, need,
                     cmp_words, t.to_percent(), part - need);
} catch (...) {
  return std::nullopt;
}

// Why a require is unknown when no evidence it read is absent: a share
// whose whole has no entries, or a division by zero, in it or in a let it
// reads (not inside the condition of a collection operation, which is
// evaluated per element). nullopt when none is found. Like gap_for, it
// never throws and puts back what it changed.
std::optional<std::string> Evaluator::unknown_because(const Expr& check) try {
  // What it evaluates is not counted against the step budget: a report's
  // explanation must not leave the checks after it less budget than a run
  // of verdicts only would have.
  struct Restore {
    Evaluator& ev;
    std::size_t depth;
    std::vector<TraceEntry>* trace;
    std::vector<std::string>* missing;
    std::uint64_t steps;
    ~Restore() {
      ev.elements_.resize(depth);
      ev.trace_ = trace;
      ev.missing_ = missing;
      ev.steps_ = steps;
    }
  } restore{*this, elements_.size(), trace_, missing_, steps_};
  trace_ = nullptr;
  missing_ = nullptr;
  return empty_whole(check, 0);
} catch (...) {
  return std::nullopt;
}

std::optional<std::string> Evaluator::empty_whole(const Expr& e, int depth) {
  if (depth > 32) return std::nullopt;
  if (e.op == Op::let) return empty_whole(program_.lets[e.index].expr, depth + 1);
  if (e.op == Op::call && (e.fn == Builtin::share || e.fn == Builtin::share_where)) {
    const Expr& whole = e.fn == Builtin::share ? e.args[1] : e.args[0];
    const Value w = eval(whole);
    if (w.kind() == Value::Kind::list && w.as_list().items.empty())
      return fmt::format("{} has no entries, and a share of no entries cannot be computed", describe(whole));
  }
  if (e.op == Op::div) {
    const Value d = eval(e.args[1]);
    if (d.kind() == Value::Kind::number && d.as_number() == Number(0))
      return fmt::format("{} is 0, and a division by zero cannot be computed", describe(e.args[1]));
  }
  // Only the operands evaluated once, not a condition or expression
  // evaluated per element (the first argument of where, any, all, sum…).
  std::size_t operands = e.args.size();
  if (e.op == Op::where) operands = 1;
  if (e.op == Op::call && e.fn != Builtin::share && e.fn != Builtin::known && e.fn != Builtin::between &&
      e.fn != Builtin::latest && e.fn != Builtin::earliest)
    operands = std::min<std::size_t>(operands, 1);
  for (std::size_t i = 0; i < operands; ++i)
    if (auto why = empty_whole(e.args[i], depth + 1)) return why;
  return std::nullopt;
}

void Evaluator::not_a_condition(const Check& check, const Value& v) {
  fail(check.expr, fmt::format("a require must be a boolean, got {} ({})", kind_name(v.kind()), to_display(v)));
}

// Evaluates an indicator's checks for the report: each with its result,
// rendered message and gap on failure, and the absent evidence behind it.
void Evaluator::report_checks(const Indicator& ind, IndicatorResult& r, bool& any_false, bool& any_unknown) {
  r.checks.reserve(ind.checks.size());
  for (const auto& check : ind.checks) {
    CheckResult c;
    c.source = check.source;
    c.line = check.line;
    if (check.expr.span.file != 0)
      if (const auto& src = program_.source_of(check.expr.span)) c.file = src->name();
    missing_ = &c.missing;
    const CondNode* fast = compiled_top(check.expr);
    const Tri t = fast ? run_cond(*fast) : Tri::give_up;
    Value v = t == Tri::give_up ? eval(check.expr) : t == Tri::unknown ? Value::unknown() : Value::boolean(t == Tri::yes);
    if (v.kind() == Value::Kind::boolean) c.result = v.as_bool();
    else if (!v.is_unknown()) not_a_condition(check, v);
    if (c.result == false) {
      any_false = true;
      // The message and the gap are the report's own: what they evaluate
      // takes no steps from the checks after them (a run of verdicts only
      // evaluates neither).
      const std::uint64_t steps = steps_;
      if (check.message) c.message = render_message(*check.message);
      c.gap = gap_for(check.expr);
      steps_ = steps;
    }
    missing_ = nullptr;
    if (!c.result && c.missing.empty()) c.unknown_because = unknown_because(check.expr);
    if (!c.result) {
      any_unknown = true;
      for (const auto& m : c.missing)
        if (std::find(r.missing.begin(), r.missing.end(), m) == r.missing.end()) r.missing.push_back(m);
    } else {
      c.missing.clear();
    }
    r.checks.push_back(std::move(c));
  }
}

// An indicator's result from an earlier evaluation, emptied to be filled
// again: its strings and vectors keep their memory.
IndicatorResult& emptied(IndicatorResult& r, bool verdicts_only) {
  // A field added to IndicatorResult must be emptied here too (the size
  // checked is libstdc++'s on a 64-bit machine).
#if defined(__GLIBCXX__) && UINTPTR_MAX == UINT64_MAX
  static_assert(sizeof(IndicatorResult) == 296, "empty every field of IndicatorResult");
#endif
  r.minimum = false;
  r.verdict = Verdict::unknown;
  r.level.reset();
  r.score.reset();
  r.score_of.reset();
  if (verdicts_only) return r;  // the rest is empty already
  r.title.clear();
  r.group.clear();
  r.cites.clear();
  r.notes.clear();
  r.checks.clear();
  r.values.clear();
  r.missing.clear();
  return r;
}

std::vector<ElementTrace> Evaluator::element_traces(const Expr& op, std::size_t limit) {
  prepare();
  const bool per_element_call = op.op == Op::call && op.args.size() == 2 &&
                                (op.fn == Builtin::any || op.fn == Builtin::all || op.fn == Builtin::sum ||
                                 op.fn == Builtin::min || op.fn == Builtin::max || op.fn == Builtin::distinct ||
                                 op.fn == Builtin::share_where);
  if (!(op.op == Op::where && op.args.size() == 2) && !per_element_call) return {};
  // The collection, untraced (trace_ is null: trace_elements asks for no
  // trace); then each element's argument, traced into its own entries. The
  // evaluator is used for this alone, so an error leaves nothing to undo.
  const Value collection = eval(op.args[0]);
  std::vector<ElementTrace> out;
  if (collection.kind() != Value::Kind::list) return out;
  const auto& items = collection.as_list().items;
  trace_depth_ = elements_.size() + 1;
  for (std::size_t k = 0; k < items.size() && k < limit; ++k) {
    ElementTrace& t = out.emplace_back();
    t.element = items[k].owned();
    trace_ = &t.entries;
    push_element(items[k]);
    (void)eval(op.args[1]);
    pop_element();
  }
  trace_ = nullptr;
  return out;
}

// The reference date and the params in force, before anything is evaluated.
inline void Evaluator::prepare() {
  if (options_.as_of) {
    as_of_ = options_.as_of;
  } else if (program_.as_of) {
    std::vector<std::string> missing;
    missing_ = &missing;
    Value d = eval(*program_.as_of);
    missing_ = nullptr;
    if (d.kind() != Value::Kind::date)
      fail(*program_.as_of, fmt::format("the reference date (as_of) must be a date, got {}{}", to_display(d),
                                        missing.empty() ? "" : fmt::format(" ({} is absent)", missing.front())));
    as_of_ = d.as_date();
  }
  if (as_of_) as_of_value_ = Value::date(*as_of_);
  as_of_ready_ = true;
  params_.resize(program_.params.size());
  if (options_.param_overrides.empty()) {
    // The common case, without looking for a replacement: most params have one value.
    for (std::uint32_t i = 0; i < params_.size(); ++i) {
      const Param& p = program_.params[i];
      params_[i] = p.values.size() == 1 ? &p.values.front().value : &param_value(p, as_of_);
    }
  } else {
    for (std::uint32_t i = 0; i < params_.size(); ++i) params_[i] = &param_value(param_in_force(i), as_of_);
  }
  params_ready_ = true;
}

void Evaluator::run(EvaluationResult& result) {
  // A field added to EvaluationResult must be emptied here too.
#if defined(__GLIBCXX__) && UINTPTR_MAX == UINT64_MAX
  static_assert(sizeof(EvaluationResult) == 176, "empty every field of EvaluationResult");
#endif
  // Whether the report's fields are empty from the last evaluation into
  // `result`; false from here until this one has ended (it may throw).
  const bool was_verdicts_only = result.verdicts_only;
  result.verdicts_only = false;
  result.as_of.reset();
  result.outcome = Verdict::unknown;
  result.label.reset();
  result.pass = result.fail = result.unknown = 0;
  result.points.reset();
  result.max_points.reset();
  result.groups.clear();
  if (result.indicators.size() > program_.indicators.size())
    result.indicators.erase(result.indicators.begin() + static_cast<std::ptrdiff_t>(program_.indicators.size()),
                            result.indicators.end());
  const std::size_t reusable = result.indicators.size();
  prepare();
  result.as_of = as_of_;
  const bool full = options_.detail == Detail::full;
  if (full) {  // what a report lays the indicators out by
    result.groups.reserve(program_.groups.size());
    for (const auto& g : program_.groups) result.groups.push_back({g.id, g.title});
  }

  bool any_minimum = std::any_of(program_.indicators.begin(), program_.indicators.end(),
                                 [](const Indicator& i) { return i.minimum; });
  bool scored = false;
  Number points, max_points;
  int gate_fail = 0, gate_unknown = 0;
  result.indicators.reserve(program_.indicators.size());
  for (std::size_t k = 0; k < program_.indicators.size(); ++k) {
    const Indicator& ind = program_.indicators[k];
    // Filled in place (reserved above).
    IndicatorResult& r = k < reusable ? emptied(result.indicators[k], was_verdicts_only) : result.indicators.emplace_back();
    // A result reused from an evaluation of the same ruleset has its id already.
    if (!Record::same_key(r.id, ind.id)) r.id = ind.id;
    r.minimum = ind.minimum;
    if (options_.only_indicator && k != *options_.only_indicator) {
      r.verdict = Verdict::unknown;  // not evaluated
      ++result.unknown;
      continue;
    }
    bool any_false = false, any_unknown = false;
    if (full) {
      r.group = ind.group;
      r.title = ind.title;
      r.cites = ind.cites;
      r.notes = ind.notes;
      report_checks(ind, r, any_false, any_unknown);
    } else {
      // Verdicts only: every check is still evaluated (an evaluation error
      // is raised as in a full run), but nothing is collected for a report.
      for (const auto& check : ind.checks) {
        const CondNode* fast = compiled_top(check.expr);
        if (const Tri t = fast ? run_cond(*fast) : Tri::give_up; t != Tri::give_up) {
          any_false |= t == Tri::no;
          any_unknown |= t == Tri::unknown;
          continue;
        }
        Value scratch;
        const Value& v = ref(check.expr, scratch);
        if (v.kind() == Value::Kind::boolean) any_false |= !v.as_bool();
        else if (v.is_unknown()) any_unknown = true;
        else not_a_condition(check, v);
      }
    }
    r.verdict = any_false ? Verdict::fail : any_unknown ? Verdict::unknown : Verdict::pass;
    // In a report, the evidence whose absence leaves a value, a level or the
    // score unknown is listed with the checks' (a pass with an unknown score
    // says what is missing too).
    std::vector<std::string>& absent = absent_;  // emptied after each use
    auto note_absent = [&](const Value& v) {  // (a full report only)
      if (v.is_unknown())
        for (auto& m : absent)
          if (std::find(r.missing.begin(), r.missing.end(), m) == r.missing.end()) r.missing.push_back(std::move(m));
      absent.clear();
      missing_ = nullptr;
    };
    if (full) {
      r.values.reserve(ind.lets.size());
      for (auto let_index : ind.lets) {
        missing_ = &absent;
        // Owned: a let's list may borrow evidence records (see filter).
        r.values.emplace_back(program_.lets[let_index].name, let_ref(let_index, program_.lets[let_index].span).owned());
        note_absent(r.values.back().second);
      }
    }
    for (const auto& level : ind.levels) {
      if (full) missing_ = &absent;
      Value v = eval(level.when);
      if (full) note_absent(v);
      if (v.kind() == Value::Kind::boolean && v.as_bool()) { r.level = level.name; break; }
      // Unknown whether this level matches: which is the first that does is
      // unknown too, so the indicator has no level (not a later one).
      if (v.is_unknown()) break;
    }
    if (ind.score) {
      scored = true;
      if (full) missing_ = &absent;
      Value v = eval(*ind.score);
      if (full) note_absent(v);
      if (v.kind() == Value::Kind::number) {
        r.score = v.as_number();
        if (auto s = Number::add(points, v.as_number())) points = *s;
      }
      r.score_of = ind.score_of;
      if (ind.score_of)
        if (auto s = Number::add(max_points, *ind.score_of)) max_points = *s;
    }
    switch (r.verdict) {
      case Verdict::pass: ++result.pass; break;
      case Verdict::fail: ++result.fail; break;
      case Verdict::unknown: ++result.unknown; break;
    }
    if (!any_minimum || ind.minimum) {
      if (r.verdict == Verdict::fail) ++gate_fail;
      if (r.verdict == Verdict::unknown) ++gate_unknown;
    }
  }
  if (options_.only_indicator) return;  // the others were not evaluated: no outcome
  result.outcome = gate_fail ? Verdict::fail : gate_unknown ? Verdict::unknown : Verdict::pass;
  minimum_met_ = result.outcome == Verdict::unknown ? Value::unknown() : Value::boolean(result.outcome == Verdict::pass);
  if (scored) {
    result.points = points;
    result.max_points = max_points;
    if (max_points.num() != 0)
      if (auto s = Number::div(points, max_points)) score_share_ = Value::number(*s);
  }
  partial_ = &result;
  for (const auto& label : program_.outcome) {
    const CondNode* fast = compiled_top(label.when);
    bool chosen;
    if (const Tri t = fast ? run_cond(*fast) : Tri::give_up; t != Tri::give_up) {
      chosen = t == Tri::yes;
    } else {
      Value v = eval(label.when);
      chosen = v.kind() == Value::Kind::boolean && v.as_bool();
    }
    if (chosen) { result.label = label.label; break; }
  }
  partial_ = nullptr;
  result.verdicts_only = !full;
}

Evaluator::Evaluator(const Program& p, const Evidence& e, const EvalOptions& o, Workspace& ws)
    : program_(p), evidence_(e), options_(o), trace_(o.trace), membership_(ws.membership),
      in_indexes_(ws.in_indexes), params_(ws.params), lets_(ws.lets), elements_(ws.elements),
      spare_elements_(ws.spare_elements), ws_(ws),
      budget_(o.step_budget), use_cond_(o.compiled_conditions), stats_(o.stats) {
  lets_.resize(p.lets.size());
  // A let first read inside a collection operation is evaluated there,
  // one level deeper: room for a few such levels before any reallocation.
  elements_.reserve(p.max_element_depth + 8);
}

}  // namespace

namespace {
// Runs `use` with an evaluator over this thread's workspace, unless an
// evaluation already holds it (one evaluating inside another); the
// workspace is cleared however the evaluation ends.
template <class Use>
decltype(auto) with_evaluator(const Program& program, const Evidence& evidence, const EvalOptions& options, Use&& use) {
  thread_local Evaluator::Workspace kept;
  std::optional<Evaluator::Workspace> own;
  Evaluator::Workspace& ws = kept.busy ? own.emplace() : kept;
  struct Lease {
    Evaluator::Workspace& ws;
    explicit Lease(Evaluator::Workspace& w) : ws(w) { ws.busy = true; }
    ~Lease() {
      ws.clear();
      ws.busy = false;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
  } lease(ws);
  Evaluator ev(program, evidence, options, ws);
  return use(ev);
}
}  // namespace

void evaluate_into(const Program& program, const Evidence& evidence, const EvalOptions& options, EvaluationResult& into) {
  with_evaluator(program, evidence, options, [&](Evaluator& ev) { ev.run(into); });
}

std::vector<ElementTrace> trace_elements(const Program& program, const Evidence& evidence, const EvalOptions& options,
                                         const Expr& op, std::size_t limit) {
  EvalOptions o = options;
  o.trace = nullptr;  // only the elements are traced
  return with_evaluator(program, evidence, o, [&](Evaluator& ev) { return ev.element_traces(op, limit); });
}

EvaluationResult evaluate(const Program& program, const Evidence& evidence, const EvalOptions& options) {
  EvaluationResult result;
  evaluate_into(program, evidence, options, result);
  return result;
}

}  // namespace verdict::engine
