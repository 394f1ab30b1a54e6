//! Scalar functions (`ir::ScalarFunc`) inlined at their call in a scalar loop body: variables
//! become Cranelift variables and structured statements become blocks. Code after a statement
//! that leaves its list (`break`, `continue`, `return`) is dead and not emitted.

use cranelift_codegen::ir::{Block, InstBuilder, Value};
use cranelift_entity::EntityRef;
use cranelift_frontend::Variable;
use nx_runtime::{DType, Scalar};

use super::function::{Emitter, scalar_type};
use crate::ir::{Inst, ScalarFunc, Stmt, ValueId};

/// The state of one inlined application.
struct Inlined<'f> {
    func: &'f ScalarFunc,
    arguments: Vec<Value>,
    values: Vec<Option<Value>>,
    vars: Vec<Variable>,
    result: Variable,
    exit: Block,
    /// Where a failed operation goes (created on first use): result 0, then `exit`.
    abort: Option<Block>,
    /// The enclosing loops, innermost last: the latch (`continue`) and, once a `break` needs
    /// it, the block after the loop.
    loops: Vec<(Block, Option<Block>)>,
}

impl Emitter<'_> {
    /// Emits `func` applied to `arguments` and returns its result; code generation continues
    /// in the block after the application.
    pub(super) fn emit_call(&mut self, func: &ScalarFunc, arguments: &[Value]) -> Value {
        let vars = func
            .vars
            .values()
            .map(|&dtype| {
                let var = self.builder.declare_var(scalar_type(dtype));
                let zero = self.scalar_const(Scalar::zero(dtype));
                self.builder.def_var(var, zero);
                var
            })
            .collect();
        let result = self.builder.declare_var(scalar_type(func.result));
        let mut inlined = Inlined {
            func,
            arguments: arguments.to_vec(),
            values: vec![None; func.values.len()],
            vars,
            result,
            exit: self.builder.create_block(),
            abort: None,
            loops: Vec::new(),
        };
        let falls_through = self.emit_stmts(&mut inlined, &func.body);
        debug_assert!(!falls_through, "a verified body ends in a return");
        if let Some(abort) = inlined.abort {
            self.builder.switch_to_block(abort);
            let zero = self.scalar_const(Scalar::zero(func.result));
            self.builder.def_var(result, zero);
            self.builder.ins().jump(inlined.exit, &[]);
        }
        self.builder.switch_to_block(inlined.exit);
        self.builder.use_var(result)
    }

    /// Emits a statement list; false when control cannot reach its end.
    fn emit_stmts(&mut self, inlined: &mut Inlined, stmts: &[Stmt]) -> bool {
        for stmt in stmts {
            if !self.emit_stmt(inlined, stmt) {
                return false;
            }
        }
        true
    }

    fn emit_stmt(&mut self, inlined: &mut Inlined, stmt: &Stmt) -> bool {
        match stmt {
            Stmt::Eval(value) => {
                self.emit_func_value(inlined, *value);
                true
            }
            Stmt::Assign(var, value) => {
                let value = inlined.value(*value);
                self.builder.def_var(inlined.vars[var.index()], value);
                true
            }
            Stmt::If { cond, then, else_ } => {
                let cond = inlined.value(*cond);
                let then_block = self.builder.create_block();
                let else_block = self.builder.create_block();
                self.builder
                    .ins()
                    .brif(cond, then_block, &[], else_block, &[]);
                let mut merge = None;
                for (block, stmts) in [(then_block, then), (else_block, else_)] {
                    self.builder.switch_to_block(block);
                    if self.emit_stmts(inlined, stmts) {
                        let merge = *merge.get_or_insert_with(|| self.builder.create_block());
                        self.builder.ins().jump(merge, &[]);
                    }
                }
                match merge {
                    Some(merge) => {
                        self.builder.switch_to_block(merge);
                        true
                    }
                    None => false,
                }
            }
            Stmt::Loop { body, latch } => {
                let header = self.builder.create_block();
                let latch_block = self.builder.create_block();
                self.builder.ins().jump(header, &[]);
                self.builder.switch_to_block(header);
                inlined.loops.push((latch_block, None));
                if self.emit_stmts(inlined, body) {
                    self.builder.ins().jump(latch_block, &[]);
                }
                let (_, after) = inlined.loops.pop().expect("pushed above");
                self.builder.switch_to_block(latch_block);
                let latch_falls_through = self.emit_stmts(inlined, latch);
                debug_assert!(
                    latch_falls_through,
                    "a latch has no break, continue or return"
                );
                self.builder.ins().jump(header, &[]);
                match after {
                    Some(after) => {
                        self.builder.switch_to_block(after);
                        true
                    }
                    None => false,
                }
            }
            Stmt::Break => {
                let (_, after) = inlined.loops.last_mut().expect("break inside a loop");
                let after = *after.get_or_insert_with(|| self.builder.create_block());
                self.builder.ins().jump(after, &[]);
                false
            }
            Stmt::Continue => {
                let (latch, _) = *inlined.loops.last().expect("continue inside a loop");
                self.builder.ins().jump(latch, &[]);
                false
            }
            Stmt::Return(value) => {
                let value = inlined.value(*value);
                self.builder.def_var(inlined.result, value);
                self.builder.ins().jump(inlined.exit, &[]);
                false
            }
        }
    }

    /// Computes one value of the function; after a fallible operation, leaves the application
    /// if the kernel's status says a failure happened (see `ScalarFunc`).
    fn emit_func_value(&mut self, inlined: &mut Inlined, value: ValueId) {
        let data = &inlined.func.values[value];
        let computed = match &data.inst {
            Inst::Param(index) => inlined.arguments[*index],
            Inst::ReadVar(var) => self.builder.use_var(inlined.vars[var.index()]),
            Inst::Const(scalar) => self.scalar_const(*scalar),
            Inst::Load(buf) => self.uniform_values[buf.index()]
                .expect("a verified function loads uniform inputs only"),
            Inst::Call(func, operands) => {
                let arguments: Vec<Value> = operands
                    .iter()
                    .map(|operand| inlined.value(*operand))
                    .collect();
                let kernel = self.kernel;
                self.emit_call(&kernel.funcs[*func], &arguments)
            }
            inst => {
                let operands = inst.operands();
                let operand_dtypes: Vec<DType> = operands
                    .iter()
                    .map(|operand| inlined.func.values[*operand].dtype)
                    .collect();
                let operand_values: Vec<Value> = operands
                    .iter()
                    .map(|operand| inlined.value(*operand))
                    .collect();
                let result = self.scalar_op(inst, data.dtype, &operand_dtypes, &operand_values);
                if inst.is_fallible(operand_dtypes[0]) {
                    let status = self.builder.use_var(self.status);
                    let abort = *inlined
                        .abort
                        .get_or_insert_with(|| self.builder.create_block());
                    let next = self.builder.create_block();
                    self.builder.ins().brif(status, abort, &[], next, &[]);
                    self.builder.switch_to_block(next);
                }
                result
            }
        };
        inlined.values[value.index()] = Some(computed);
    }
}

impl Inlined<'_> {
    fn value(&self, value: ValueId) -> Value {
        self.values[value.index()].expect("a verified function computes values before use")
    }
}
