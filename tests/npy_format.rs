//! `save` writes the bytes NumPy writes: nx saves every fixture array (written by NumPy's
//! `np.save` in `tests/programs/golden_linalg.py`) and the files must be identical, header
//! padding included. Also checks that a loaded big-endian or Fortran-order file saves as the
//! plain little-endian C-order file of the same values.

use std::path::{Path, PathBuf};
use std::process::Command;

const DTYPES: [&str; 11] = [
    "bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64",
];

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nx-npy-format-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

fn run_nx(code: &str) {
    let output = Command::new(env!("CARGO_BIN_EXE_nx"))
        .args(["-e", code])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run nx");
    assert!(
        output.status.success(),
        "nx -e failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/programs/npy/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("read {}: {err}", path.display()))
}

#[test]
fn saved_files_are_byte_identical_to_numpys() {
    let dir = scratch_dir("dtypes");
    let mut code = String::new();
    for dtype in DTYPES {
        let target = dir.join(format!("{dtype}.npy"));
        code.push_str(&format!(
            "save(\"{}\", load(\"tests/programs/npy/data/{dtype}.npy\"))\n",
            target.display()
        ));
    }
    run_nx(&code);
    for dtype in DTYPES {
        let saved = std::fs::read(dir.join(format!("{dtype}.npy"))).expect("read a saved file");
        assert_eq!(
            saved,
            fixture(&format!("{dtype}.npy")),
            "{dtype}.npy differs from NumPy's"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn saved_files_follow_the_format() {
    let dir = scratch_dir("format");
    let target = dir.join("x.npy");
    run_nx(&format!(
        "save(\"{}\", load(\"tests/programs/npy/data/big_endian_i32.npy\").T)",
        target.display()
    ));
    let bytes = std::fs::read(&target).expect("read the saved file");
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    assert_eq!((10 + header_len) % 64, 0, "the data starts 64-byte aligned");
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).expect("an ASCII header");
    assert_eq!(
        header.trim_end(),
        "{'descr': '<i4', 'fortran_order': False, 'shape': (3, 2), }"
    );
    assert!(header.ends_with('\n'));
    // The transpose of [[-3, -2, -1], [0, 1, 2]] in C order, little-endian.
    let values: Vec<i32> = bytes[10 + header_len..]
        .chunks_exact(4)
        .map(|chunk| i32::from_le_bytes(chunk.try_into().unwrap()))
        .collect();
    assert_eq!(values, vec![-3, 0, -2, 1, -1, 2]);
    let _ = std::fs::remove_dir_all(&dir);
}
