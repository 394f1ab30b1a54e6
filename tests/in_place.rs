//! Assignments whose value reads the target itself (`u[1:-1] = f(u[:-2], u[2:])`) run in row
//! blocks with lagged write-back when the addresses allow it (exec/in_place.rs) and through a
//! whole temporary otherwise. Either way the result must be the bits of computing the value
//! first into a separate variable and assigning that (the non-aliased path): random grids
//! (1-D to 3-D, smaller than one block, not a multiple of it, one row), random shifts up and
//! down along every axis, and views that must fall back (reversed rows or columns, a broadcast
//! row, a transpose), with and without another variable sharing the target's buffer.

use std::num::NonZeroUsize;

use nx::Session;
use proptest::prelude::*;

/// A dtype of the grid, with a coefficient syntax.
#[derive(Clone, Copy, Debug)]
enum Grid {
    F64,
    F32,
    I64,
}

/// One term of the value: a view of `u` (or `w`, which does not alias `u`) of the region's shape.
#[derive(Clone, Debug)]
enum Term {
    /// The region shifted by these offsets along each axis.
    Shifted(Vec<i64>),
    /// Shifted, then reversed along axis 0 (a negative outermost stride).
    ReversedRows(Vec<i64>),
    /// Shifted, then reversed along the last axis (negative inner stride).
    ReversedLast(Vec<i64>),
    /// Row `k` of `u` broadcast over the region's rows (outermost stride 0).
    BroadcastRow(usize),
    /// Shifted, from the other grid `w`.
    Other(Vec<i64>),
}

#[derive(Clone, Debug)]
struct Case {
    grid: Grid,
    shape: Vec<usize>,
    /// The region is `lo[a] .. shape[a] - hi[a]` along each axis `a`.
    lo: Vec<usize>,
    hi: Vec<usize>,
    terms: Vec<(i64, Term)>,
    /// Whether `let keep = u` shares the buffer before the sweeps.
    shared: bool,
    /// Worker threads (bands of blocks run at once with more than one).
    threads: usize,
    /// Whether kernels run in the reference interpreter (which runs bands one by one).
    reference: bool,
}

impl Case {
    fn items(&self, shift: &[i64]) -> String {
        let items: Vec<String> = (0..self.shape.len())
            .map(|axis| {
                let start = self.lo[axis] as i64 + shift[axis];
                let stop = self.shape[axis] as i64 - self.hi[axis] as i64 + shift[axis];
                format!("{start}:{stop}")
            })
            .collect();
        format!("[{}]", items.join(", "))
    }

    fn value(&self) -> String {
        let rank = self.shape.len();
        let zero = vec![0; rank];
        let terms: Vec<String> = self
            .terms
            .iter()
            .map(|(coefficient, term)| {
                let view = match term {
                    Term::Shifted(shift) => format!("u{}", self.items(shift)),
                    Term::ReversedRows(shift) => format!("u{}[::-1]", self.items(shift)),
                    Term::ReversedLast(shift) => format!("u{}[..., ::-1]", self.items(shift)),
                    Term::BroadcastRow(row) => format!("u[{row}]{}", {
                        let inner = self.items(&zero);
                        // Drop the first axis's slice: the row has the inner axes only.
                        let inner = inner.trim_start_matches('[').trim_end_matches(']');
                        let rest: Vec<&str> = inner.split(", ").skip(1).collect();
                        if rest.is_empty() {
                            String::new()
                        } else {
                            format!("[{}]", rest.join(", "))
                        }
                    }),
                    Term::Other(shift) => format!("w{}", self.items(shift)),
                };
                let coefficient = match self.grid {
                    Grid::I64 => format!("{coefficient}"),
                    Grid::F64 | Grid::F32 => format!("{}", *coefficient as f64 * 0.25),
                };
                format!("{coefficient} * {view}")
            })
            .collect();
        let sum = terms.join(" + ");
        match self.grid {
            Grid::F32 => format!("({sum}) as f32"),
            _ => sum,
        }
    }

    fn setup(&self) -> String {
        let n: usize = self.shape.iter().product();
        let shape: Vec<String> = self.shape.iter().map(usize::to_string).collect();
        let shape = shape.join(", ");
        let grid = |name: &str, seed: u64| {
            let base = format!("(arange({n}) * {seed}) % 10007");
            let values = match self.grid {
                Grid::F64 => format!("{base} / 1000.0 - 5.0"),
                Grid::F32 => format!("({base} / 1000.0 - 5.0) as f32"),
                Grid::I64 => format!("{base} - 5000"),
            };
            format!("let {name} = reshape({values}, [{shape}])\n")
        };
        let mut setup = grid("u", 7919) + &grid("w", 104729);
        if self.shared {
            setup += "let keep = u\n";
        }
        setup
    }

    /// Two sweeps of the assignment, directly (`aliased`) or through `let t = value`.
    fn program(&self, aliased: bool) -> String {
        let region = self.items(&vec![0; self.shape.len()]);
        let value = self.value();
        let sweep = if aliased {
            format!("    u{region} = {value}\n")
        } else {
            format!("    let t = {value}\n    u{region} = t\n")
        };
        format!("{}for k in 0..2 {{\n{sweep}}}\n", self.setup())
    }
}

/// The bits of every element of `name`, in row-major order.
fn bits(session: &mut Session, grid: Grid, name: &str) -> Vec<u64> {
    match grid {
        Grid::F64 => session
            .eval_array::<f64>(name)
            .unwrap()
            .iter()
            .map(|v| v.to_bits())
            .collect(),
        Grid::F32 => session
            .eval_array::<f32>(name)
            .unwrap()
            .iter()
            .map(|v| u64::from(v.to_bits()))
            .collect(),
        Grid::I64 => session
            .eval_array::<i64>(name)
            .unwrap()
            .iter()
            .map(|&v| v as u64)
            .collect(),
    }
}

fn outcome(case: &Case, aliased: bool) -> (Vec<u64>, Option<Vec<u64>>) {
    let mut session = Session::new_captured().unwrap();
    // Scripts run without the REPL's restore point, which holds every buffer (and so would
    // keep every case on the temporary path).
    session.set_rollback(false);
    session.set_threads(NonZeroUsize::new(case.threads).unwrap());
    session.use_reference_interpreter(case.reference);
    let program = case.program(aliased);
    session
        .run(&program)
        .unwrap_or_else(|err| panic!("{}\n{program}", err.rendered));
    let keep = case.shared.then(|| bits(&mut session, case.grid, "keep"));
    (bits(&mut session, case.grid, "u"), keep)
}

/// Shapes around the block size (2^16 bytes: 2 rows of 4096 f64, 8192 f64 in 1-D; with
/// one band over several threads, 2^16 points), with single-row and single-block grids.
fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![
        (1usize..200_000).prop_map(|n| vec![n]),
        (1usize..4).prop_map(|n| vec![n]),
        (
            1usize..60,
            prop::sample::select(vec![1usize, 3, 700, 4096, 5001, 8192])
        )
            .prop_map(|(rows, cols)| vec![rows, cols]),
        (1usize..300, 1usize..9).prop_map(|(rows, cols)| vec![rows, cols]),
        (
            1usize..40,
            prop::sample::select(vec![(64usize, 64usize), (3, 5), (1, 9)])
        )
            .prop_map(|(rows, (a, b))| vec![rows, a, b]),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let grid = prop::sample::select(vec![Grid::F64, Grid::F64, Grid::F32, Grid::I64]);
    (
        grid,
        shape(),
        prop::bool::weighted(0.25),
        1usize..4,
        prop::bool::weighted(0.3),
    )
        .prop_flat_map(|(grid, shape, shared, threads, reference)| {
            // Margins of at most 3 that leave a region (possibly empty when the axis is short).
            let margins: Vec<_> = shape
                .iter()
                .map(|&len| {
                    let most = len.min(3);
                    (0..=most).prop_flat_map(move |lo| (Just(lo), 0..=(len - lo).min(3)))
                })
                .collect();
            (Just(grid), Just(shape), Just(shared), margins).prop_flat_map(
                move |(grid, shape, shared, margins)| {
                    let (lo, hi): (Vec<usize>, Vec<usize>) = margins.into_iter().unzip();
                    // Shifts that keep a view inside the grid: -lo ..= hi along each axis.
                    let shift: Vec<_> = lo
                        .iter()
                        .zip(&hi)
                        .map(|(&lo, &hi)| -(lo as i64)..=hi as i64)
                        .collect();
                    let term = prop_oneof![
                        12 => shift.clone().prop_map(Term::Shifted),
                        1 => shift.clone().prop_map(Term::ReversedRows),
                        1 => shift.clone().prop_map(Term::ReversedLast),
                        1 => (0..shape[0]).prop_map(Term::BroadcastRow),
                        1 => shift.prop_map(Term::Other),
                    ];
                    let terms = prop::collection::vec((-4i64..=4, term), 1..5);
                    (
                        Just(grid),
                        Just(shape),
                        Just(lo),
                        Just(hi),
                        terms,
                        Just(shared),
                    )
                        .prop_map(
                            move |(grid, shape, lo, hi, terms, shared)| Case {
                                grid,
                                shape,
                                lo,
                                hi,
                                terms,
                                shared,
                                threads,
                                reference,
                            },
                        )
                },
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn assignments_reading_their_target_match_a_materialized_value(case in case()) {
        let aliased = outcome(&case, true);
        let materialized = outcome(&case, false);
        prop_assert!(aliased == materialized, "{}", case.program(true));
    }
}

/// A transposed view of the target (rows of the input run along the target's columns) must
/// read old values too.
#[test]
fn a_transposed_view_of_the_target_reads_old_values() {
    for n in [2usize, 40, 300] {
        let case = |aliased: bool| {
            let mut session = Session::new_captured().unwrap();
            session.set_rollback(false);
            let setup = format!(
                "let u = reshape((arange({n}) * 7919 % 10007) / 1000.0, [{n}, 1]) * reshape(arange({n}) * 1.0, [1, {n}])\n"
            );
            let statement = if aliased {
                "u[1:, 1:] = 0.5 * u[:-1, :-1].T + u[1:, :-1]\n"
            } else {
                "let t = 0.5 * u[:-1, :-1].T + u[1:, :-1]\nu[1:, 1:] = t\n"
            };
            session.run(&(setup + statement + statement)).unwrap();
            bits(&mut session, Grid::F64, "u")
        };
        assert_eq!(case(true), case(false), "n = {n}");
    }
}

/// Rows of 2^16 bytes make one-row blocks, so reads two or more rows above or below the
/// written row must fall back (above: later blocks; below: bands running at once), and reads
/// one row away may not. Run one by one, last band first, by the reference interpreter.
#[test]
fn reads_reaching_past_a_block_in_either_direction() {
    for shift in -3i64..=3 {
        for (threads, reference) in [(1, false), (2, false), (2, true), (3, true)] {
            let case = Case {
                grid: Grid::F64,
                shape: vec![24, 8192],
                lo: vec![3, 0],
                hi: vec![3, 0],
                terms: vec![
                    (2, Term::Shifted(vec![shift, 0])),
                    (1, Term::Shifted(vec![0, 0])),
                ],
                shared: false,
                threads,
                reference,
            };
            assert!(
                outcome(&case, true) == outcome(&case, false),
                "threads {threads}, reference {reference}:\n{}",
                case.program(true)
            );
        }
    }
}
