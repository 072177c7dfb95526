#include "engine/compiled.hpp"

#include <atomic>
#include <memory>
#include <optional>

namespace verdict::engine {

namespace {

using K = CondNode::Kind;

// The longest field path compiled (longer ones stay with the evaluator).
constexpr std::size_t kMaxKeys = 8;

bool reads_element_at_or_after(const CondNode& o, std::uint32_t depth) {
  return (o.kind == K::element_field || o.kind == K::element_path) && o.index >= depth;
}

std::optional<CondNode> operand(const Expr& e);

// sum(C where NEEDLE in .F, E), NEEDLE not reading C's element: a join,
// answered through a hash index of C by F (as index_matches answers it).
std::optional<CondNode> sum_in(const Expr& e) {
  const Expr& where = e.args[0];
  const Expr& pred = where.args[1];
  if (pred.op != Op::in || pred.args[1].op != Op::field) return std::nullopt;
  auto collection = operand(where.args[0]);
  auto needle = operand(pred.args[0]);
  auto field = operand(pred.args[1]);
  auto per = operand(e.args[1]);
  if (!collection || !needle || !field || !per) return std::nullopt;
  if (field->kind != K::element_field && field->kind != K::element_path) return std::nullopt;
  const std::uint32_t depth = field->index;  // the element of the where (and of the sum)
  if (reads_element_at_or_after(*collection, depth) || reads_element_at_or_after(*needle, depth)) return std::nullopt;
  // Operands answered into a temporary would share one with the sum.
  for (const auto* o : {&*collection, &*needle, &*field, &*per})
    if (o->kind == K::count || o->kind == K::sum_in || o->kind == K::share) return std::nullopt;
  CondNode n;
  n.kind = K::sum_in;
  n.index = where.where_id;
  n.steps = 1;  // the sum; the where is not evaluated as a node (see Evaluator::items)
  n.kids.push_back(std::move(*collection));
  n.kids.push_back(std::move(*needle));
  n.kids.push_back(std::move(*field));
  n.kids.push_back(std::move(*per));
  return n;
}

std::optional<CondNode> operand(const Expr& e) {
  CondNode n;
  n.steps = 1;
  switch (e.op) {
    case Op::constant:
      n.kind = K::constant;
      n.value = e.value;
      return n;
    case Op::param:
      n.kind = K::param;
      n.index = e.index;
      return n;
    case Op::let:
      n.kind = K::let;
      n.index = e.index;
      n.span = e.span;
      return n;
    case Op::as_of: n.kind = K::as_of; return n;
    case Op::minimum_met:
    case Op::score_share:
      n.kind = K::outcome_value;
      n.index = e.op == Op::minimum_met ? 0 : 1;
      return n;
    case Op::list: {
      // A list of constants (`["seminar", "workshop"]`) is one, built once.
      auto list = std::make_shared<List>();
      for (const auto& a : e.args) {
        if (a.op != Op::constant) return std::nullopt;
        list->items.push_back(a.value);
      }
      n.kind = K::constant;
      n.value = Value::list(std::move(list));
      n.steps = 1 + static_cast<std::uint32_t>(e.args.size());  // as the evaluator counts the list and its items
      return n;
    }
    case Op::element:  // `.` itself
      n.kind = K::element_path;
      n.index = e.index;
      return n;
    case Op::evidence:
    case Op::field:
    case Op::index: {
      // A chain of fields over the element or the evidence root, counted
      // as the evaluator counts it: one step per node. A record indexed by
      // a text (`attestations["2.4"]`) is read as its field of that name
      // (index_ref reads it so), counting the index and the text.
      std::vector<std::string> keys;
      std::uint32_t nodes = 1;  // the element or the evidence field
      const Expr* x = &e;
      while (x->op == Op::field || x->op == Op::index) {
        if (x->op == Op::index) {
          const Expr& key = x->args[1];
          if (key.op != Op::constant || key.value.kind() != Value::Kind::string) return std::nullopt;
          keys.insert(keys.begin(), key.value.as_string());
          nodes += 2;
        } else {
          keys.insert(keys.begin(), x->name);
          nodes += 1;
        }
        x = &x->args[0];
      }
      if (x->op == Op::element) {
        n.kind = keys.size() == 1 && e.op == Op::field ? K::element_field : K::element_path;
        n.index = x->index;
      } else if (x->op == Op::evidence) {
        n.kind = K::root_path;
        keys.insert(keys.begin(), x->name);
      } else {
        return std::nullopt;
      }
      n.steps = nodes;
      if (keys.size() > kMaxKeys) return std::nullopt;
      for (auto& k : keys) {
        const std::uint32_t id = key_id(k);
        n.keys.push_back({std::move(k), id, 0});
      }
      return n;
    }
    case Op::call:
      if (e.fn == Builtin::count && e.args.size() == 1) {
        auto inner = operand(e.args[0]);
        if (!inner || inner->kind == K::count || inner->kind == K::sum_in || inner->kind == K::share) return std::nullopt;
        n.kind = K::count;
        n.kids.push_back(std::move(*inner));
        return n;
      }
      if (e.fn == Builtin::sum && e.args.size() == 2 && e.args[0].op == Op::where) return sum_in(e);
      if (e.fn == Builtin::share && e.args.size() == 2) {
        auto part = operand(e.args[0]);
        auto whole = operand(e.args[1]);
        if (!part || !whole) return std::nullopt;
        for (const auto* o : {&*part, &*whole})
          if (o->kind == K::count || o->kind == K::sum_in || o->kind == K::share) return std::nullopt;
        n.kind = K::share;
        n.kids.push_back(std::move(*part));
        n.kids.push_back(std::move(*whole));
        return n;
      }
      return std::nullopt;
    default: return std::nullopt;
  }
}

std::optional<CondNode> condition(const Expr& e) {
  CondNode n;
  n.steps = 1;
  auto add = [&n](std::optional<CondNode> kid) {
    if (!kid) return false;
    n.kids.push_back(std::move(*kid));
    return true;
  };
  if (e.op == Op::not_) {
    n.kind = K::not_;
    if (!add(condition(e.args[0]))) return std::nullopt;
    return n;
  }
  if (e.op == Op::and_ || e.op == Op::or_) {
    n.kind = e.op == Op::and_ ? K::and_ : K::or_;
    if (!add(condition(e.args[0])) || !add(condition(e.args[1]))) return std::nullopt;
    return n;
  }
  if (is_comparison(e.op) || e.op == Op::in) {
    n.kind = e.op == Op::in ? K::in : K::compare;
    n.op = e.op;
    if (!add(operand(e.args[0])) || !add(operand(e.args[1]))) return std::nullopt;
    // `.f == "text"` (or !=), the commonest comparison: one node that reads
    // the field and compares, counting the steps of all three.
    const CondNode& field = n.kids[0];
    const CondNode& text = n.kids[1];
    if (n.kind == K::compare && (n.op == Op::eq || n.op == Op::ne) && field.kind == K::element_field &&
        text.kind == K::constant && text.value.kind() == Value::Kind::string) {
      CondNode is;
      is.kind = K::field_is;
      is.op = n.op;
      is.index = field.index;
      is.steps = n.steps + field.steps + text.steps;
      is.keys = field.keys;
      is.value = text.value;
      return is;
    }
    return n;  // (each operand has a temporary of its own: count, sum and share may meet)
  }
  if (e.op == Op::call && e.fn == Builtin::between && e.args.size() == 3) {
    n.kind = K::between;
    for (const auto& a : e.args)
      if (!add(operand(a))) return std::nullopt;
    return n;
  }
  if (e.op == Op::call && e.fn == Builtin::known && e.args.size() == 1) {
    n.kind = K::known;
    if (!add(operand(e.args[0]))) return std::nullopt;
    return n;
  }
  if (e.op == Op::call && (e.fn == Builtin::any || e.fn == Builtin::all) && e.args.size() == 2) {
    n.kind = e.fn == Builtin::any ? K::any : K::all;
    if (!add(operand(e.args[0])) || !add(condition(e.args[1]))) return std::nullopt;
    return n;
  }
  // Anything else that is an operand (a boolean field, a let) is read as one.
  auto v = operand(e);
  if (!v) return std::nullopt;
  if (v->kind == K::element_field) {
    v->kind = K::field_truth;
    return v;
  }
  n.kind = K::truth;
  n.steps = 0;  // the operand counts its own
  n.kids.push_back(std::move(*v));
  return n;
}

void set_cond(Expr& e) {
  if (auto c = condition(e)) e.cond = std::make_shared<const CondNode>(std::move(*c));
}

// A list to filter or take the distinct values of, read outside any
// element (a let is evaluated there): a path from the evidence, a let, a
// param or a constant list.
std::optional<CondNode> list_source(const Expr& e) {
  auto o = operand(e);
  if (!o) return std::nullopt;
  if (o->kind != K::root_path && o->kind != K::let && o->kind != K::param && o->kind != K::constant)
    return std::nullopt;
  return o;
}

// `C where P` whose items filter() decides one by one: not a condition the
// hash index of `in` answers (index_matches), which counts its steps its
// own way.
bool scanned_where(const Expr& e) {
  return e.op == Op::where && e.args.size() == 2 && e.args[1].op != Op::in;
}

std::optional<LetPlan> plan_of(const Expr& e) {
  LetPlan plan;
  if (scanned_where(e)) {
    auto source = list_source(e.args[0]);
    if (!source) return std::nullopt;
    plan.kind = LetPlan::Kind::filter;
    plan.steps = 1;  // the where
    plan.source = std::move(*source);
    return plan;
  }
  if (e.op == Op::call && e.fn == Builtin::distinct && e.args.size() == 2) {
    const Expr& c = e.args[0];
    auto source = list_source(scanned_where(c) ? c.args[0] : c);
    auto per = operand(e.args[1]);
    if (!source || !per) return std::nullopt;
    if ((per->kind != K::element_field && per->kind != K::element_path) || per->index != 0) return std::nullopt;
    plan.kind = LetPlan::Kind::distinct;
    plan.filtered = scanned_where(c);
    plan.steps = plan.filtered ? 2 : 1;  // the call, and its where
    plan.source = std::move(*source);
    plan.per = std::move(*per);
    return plan;
  }
  if ((e.op == Op::add || e.op == Op::sub) && e.args.size() == 2) {
    auto date = operand(e.args[0]);
    auto duration = operand(e.args[1]);
    if (!date || !duration) return std::nullopt;
    for (const auto* o : {&*date, &*duration})
      if (o->kind == K::element_field || o->kind == K::element_path) return std::nullopt;
    plan.kind = LetPlan::Kind::shift;
    plan.sign = e.op == Op::add ? 1 : -1;
    plan.steps = 1;  // the + or -
    plan.source = std::move(*date);
    plan.per = std::move(*duration);
    return plan;
  }
  auto o = operand(e);
  if (!o || o->kind == K::element_field || o->kind == K::element_path) return std::nullopt;
  plan.kind = LetPlan::Kind::operand;
  plan.source = std::move(*o);
  return plan;
}

}  // namespace

void compile_conditions(Expr& e) {
  // Numbered before the conditions that contain it are compiled (sum_in).
  static std::atomic<std::uint32_t> wheres{0};
  if (e.op == Op::where && e.where_id == 0) e.where_id = ++wheres;
  for (auto& a : e.args) compile_conditions(a);
  if (e.op == Op::field || e.op == Op::evidence) e.key_id = key_id(e.name);
  if (e.op == Op::where && e.args.size() == 2) set_cond(e.args[1]);
  if (e.op == Op::call && e.args.size() == 2 &&
      (e.fn == Builtin::any || e.fn == Builtin::all || e.fn == Builtin::share_where))
    set_cond(e.args[1]);
}

void compile_conditions(Program& program) {
  if (program.as_of) compile_conditions(*program.as_of);
  for (auto& l : program.lets) {
    compile_conditions(l.expr);
    if (auto plan = plan_of(l.expr)) l.plan = std::make_shared<const LetPlan>(std::move(*plan));
  }
  for (auto& ind : program.indicators) {
    for (auto& check : ind.checks) {
      compile_conditions(check.expr);
      set_cond(check.expr);
      if (check.message)
        for (auto& part : check.message->parts)
          if (part.expr) compile_conditions(*part.expr);
    }
    if (ind.score) compile_conditions(*ind.score);
    for (auto& level : ind.levels) compile_conditions(level.when);
  }
  for (auto& label : program.outcome) {
    compile_conditions(label.when);
    set_cond(label.when);
  }
}

}  // namespace verdict::engine
