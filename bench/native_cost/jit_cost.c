/* What compiling conditions to machine code in the process would cost: GCC's
 * JIT (libgccjit) builds 72 small functions (about four per minimum
 * requirement, each a loop over a list with a call and a comparison, far
 * less code than the 18 requirements' conditions would need) at -O2, and
 * the time of the compile is printed. A lower bound for a native back end's
 * start-up, set against what it could save per evaluation
 * (docs/performance.md, "Session 17"). Built and run by
 * scripts/native-cost.sh; not part of the build. */
#include <libgccjit.h>
#include <stdio.h>
#include <time.h>

/* What the generated code calls (a field read, in a real back end). */
long long field(const void* record, long long key) { return (long long)(record != 0) + key; }

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void) {
  const double t0 = now();
  gcc_jit_context* ctx = gcc_jit_context_acquire();
  gcc_jit_context_set_int_option(ctx, GCC_JIT_INT_OPTION_OPTIMIZATION_LEVEL, 2);
  gcc_jit_type* i64 = gcc_jit_context_get_type(ctx, GCC_JIT_TYPE_LONG_LONG);
  gcc_jit_type* vp = gcc_jit_context_get_type(ctx, GCC_JIT_TYPE_VOID_PTR);
  gcc_jit_type* i64p = gcc_jit_type_get_pointer(i64);
  gcc_jit_param* hp[2] = {gcc_jit_context_new_param(ctx, 0, vp, "record"), gcc_jit_context_new_param(ctx, 0, i64, "key")};
  gcc_jit_function* helper = gcc_jit_context_new_function(ctx, 0, GCC_JIT_FUNCTION_IMPORTED, i64, "field", 2, hp, 0);
  enum { kFunctions = 72 };
  for (int f = 0; f < kFunctions; f++) {
    char name[32];
    snprintf(name, sizeof name, "check%d", f);
    gcc_jit_param* ps[3] = {gcc_jit_context_new_param(ctx, 0, i64p, "items"), gcc_jit_context_new_param(ctx, 0, i64, "n"),
                            gcc_jit_context_new_param(ctx, 0, vp, "root")};
    gcc_jit_function* fn = gcc_jit_context_new_function(ctx, 0, GCC_JIT_FUNCTION_EXPORTED, i64, name, 3, ps, 0);
    gcc_jit_lvalue* i = gcc_jit_function_new_local(fn, 0, i64, "i");
    gcc_jit_lvalue* acc = gcc_jit_function_new_local(fn, 0, i64, "acc");
    gcc_jit_block* entry = gcc_jit_function_new_block(fn, "entry");
    gcc_jit_block* cond = gcc_jit_function_new_block(fn, "cond");
    gcc_jit_block* body = gcc_jit_function_new_block(fn, "body");
    gcc_jit_block* yes = gcc_jit_function_new_block(fn, "yes");
    gcc_jit_block* next = gcc_jit_function_new_block(fn, "next");
    gcc_jit_block* done = gcc_jit_function_new_block(fn, "done");
    gcc_jit_block_add_assignment(entry, 0, i, gcc_jit_context_zero(ctx, i64));
    gcc_jit_block_add_assignment(entry, 0, acc, gcc_jit_context_zero(ctx, i64));
    gcc_jit_block_end_with_jump(entry, 0, cond);
    gcc_jit_block_end_with_conditional(
        cond, 0,
        gcc_jit_context_new_comparison(ctx, 0, GCC_JIT_COMPARISON_LT, gcc_jit_lvalue_as_rvalue(i), gcc_jit_param_as_rvalue(ps[1])),
        body, done);
    gcc_jit_rvalue* item = gcc_jit_lvalue_as_rvalue(
        gcc_jit_context_new_array_access(ctx, 0, gcc_jit_param_as_rvalue(ps[0]), gcc_jit_lvalue_as_rvalue(i)));
    gcc_jit_rvalue* args[2] = {gcc_jit_param_as_rvalue(ps[2]), gcc_jit_context_new_rvalue_from_int(ctx, i64, f)};
    gcc_jit_rvalue* call = gcc_jit_context_new_call(ctx, 0, helper, 2, args);
    gcc_jit_rvalue* test = gcc_jit_context_new_comparison(
        ctx, 0, GCC_JIT_COMPARISON_GT, gcc_jit_context_new_binary_op(ctx, 0, GCC_JIT_BINARY_OP_PLUS, i64, item, call),
        gcc_jit_context_new_rvalue_from_int(ctx, i64, f));
    gcc_jit_block_end_with_conditional(body, 0, test, yes, next);
    gcc_jit_block_add_assignment_op(yes, 0, acc, GCC_JIT_BINARY_OP_PLUS, gcc_jit_context_one(ctx, i64));
    gcc_jit_block_end_with_jump(yes, 0, next);
    gcc_jit_block_add_assignment_op(next, 0, i, GCC_JIT_BINARY_OP_PLUS, gcc_jit_context_one(ctx, i64));
    gcc_jit_block_end_with_jump(next, 0, cond);
    gcc_jit_block_end_with_return(done, 0, gcc_jit_lvalue_as_rvalue(acc));
  }
  const double t1 = now();
  gcc_jit_result* result = gcc_jit_context_compile(ctx);
  const double t2 = now();
  if (!result) {
    fprintf(stderr, "jit_cost: compile failed: %s\n", gcc_jit_context_get_first_error(ctx));
    return 1;
  }
  long long (*check0)(long long*, long long, void*) = (long long (*)(long long*, long long, void*))gcc_jit_result_get_code(result, "check0");
  long long items[3] = {1, 2, 3};
  const long long kept = check0(items, 3, items);  /* the code runs */
  printf("libgccjit: %d functions built in %.1f ms, compiled at -O2 in %.1f ms (check0 kept %lld of 3)\n", kFunctions,
         (t1 - t0) * 1e3, (t2 - t1) * 1e3, kept);
  gcc_jit_result_release(result);
  gcc_jit_context_release(ctx);
  return 0;
}
