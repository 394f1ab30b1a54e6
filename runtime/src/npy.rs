//! NumPy `.npy` files: reading a header, loading an array (memory-mapped where the bytes can
//! be used as they are) and saving one as a version 1.0 file that NumPy reads.
//!
//! A loaded file whose data is little-endian (or byte-sized), suitably aligned and, for bool,
//! only 0/1 bytes is not copied: the array's buffer is a private (copy-on-write) mapping of
//! the file, kept alive by the buffer, so writes through `Array::make_mut` copy first and
//! never reach the file. Fortran-order files are mapped too and become column-major views.
//! Big-endian data (and the rare misaligned or non-0/1 bool file) is copied.
//!
//! `save` writes to a temporary file in the target's directory and renames it over the
//! target, so a mapping of the old file (a loaded array) stays valid: truncating a mapped
//! file in place would make later reads of it fault.

use std::fmt;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::array::Array;
use crate::buffer::{AllocError, Buffer};
use crate::dtype::DType;

const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// Why a file could not be loaded or saved. The caller names the file.
#[derive(Debug)]
pub enum NpyError {
    /// The file could not be opened, read, mapped or written.
    Io(std::io::Error),
    /// The file is not a `.npy` file nx can read; the message says what is wrong.
    Format(String),
    Alloc(AllocError),
}

impl fmt::Display for NpyError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NpyError::Io(err) if err.kind() == std::io::ErrorKind::NotFound => {
                write!(formatter, "no such file")
            }
            NpyError::Io(err) => write!(formatter, "{err}"),
            NpyError::Format(message) => write!(formatter, "{message}"),
            NpyError::Alloc(err) => write!(formatter, "{err}"),
        }
    }
}

impl std::error::Error for NpyError {}

impl From<std::io::Error> for NpyError {
    fn from(err: std::io::Error) -> NpyError {
        NpyError::Io(err)
    }
}

impl From<AllocError> for NpyError {
    fn from(err: AllocError) -> NpyError {
        NpyError::Alloc(err)
    }
}

fn format_error(message: impl Into<String>) -> NpyError {
    NpyError::Format(message.into())
}

/// What a `.npy` header says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub dtype: DType,
    /// The data is big-endian (only ever true for dtypes wider than a byte).
    pub big_endian: bool,
    pub fortran_order: bool,
    pub shape: Vec<usize>,
    /// Bytes from the start of the file to the first element.
    pub data_offset: usize,
}

/// The dtype a NumPy type string such as `<f8` or `|b1` names, and whether it is big-endian.
fn parse_descr(descr: &str) -> Result<(DType, bool), NpyError> {
    let (order, code) = match descr.chars().next() {
        Some(c @ ('<' | '>' | '|' | '=')) => (c, &descr[1..]),
        _ => ('=', descr),
    };
    let dtype = match code {
        "b1" | "?" => DType::Bool,
        "i1" => DType::I8,
        "i2" => DType::I16,
        "i4" => DType::I32,
        "i8" => DType::I64,
        "u1" => DType::U8,
        "u2" => DType::U16,
        "u4" => DType::U32,
        "u8" => DType::U64,
        "f4" => DType::F32,
        "f8" => DType::F64,
        _ => {
            return Err(format_error(format!(
                "its dtype '{descr}' is not one nx has (bool, i8–i64, u8–u64, f32, f64)"
            )));
        }
    };
    let big_endian = order == '>' || (order == '=' && cfg!(target_endian = "big"));
    Ok((dtype, big_endian && dtype.size() > 1))
}

/// NumPy's type string for `dtype` as nx writes it (little-endian).
fn descr_of(dtype: DType) -> &'static str {
    match dtype {
        DType::Bool => "|b1",
        DType::I8 => "|i1",
        DType::I16 => "<i2",
        DType::I32 => "<i4",
        DType::I64 => "<i8",
        DType::U8 => "|u1",
        DType::U16 => "<u2",
        DType::U32 => "<u4",
        DType::U64 => "<u8",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
    }
}

/// A value of the Python literal subset that `.npy` headers use.
#[derive(Debug)]
enum Literal {
    Str(String),
    Bool(bool),
    Tuple(Vec<usize>),
}

/// A parser for the header dictionary, e.g. `{'descr': '<f8', 'fortran_order': False,
/// 'shape': (3, 4), }`.
struct DictParser<'a> {
    text: &'a [u8],
    pos: usize,
}

impl DictParser<'_> {
    fn skip_space(&mut self) {
        while self.pos < self.text.len() && self.text[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    /// Consumes `byte` (after spaces) if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        if self.text.get(self.pos) == Some(&byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), NpyError> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(format_error(format!(
                "its header is malformed (expected '{}')",
                byte as char
            )))
        }
    }

    fn string(&mut self) -> Result<String, NpyError> {
        self.skip_space();
        let quote = match self.text.get(self.pos) {
            Some(&q @ (b'\'' | b'"')) => q,
            _ => return Err(format_error("its header is malformed (expected a string)")),
        };
        self.pos += 1;
        let start = self.pos;
        while self.pos < self.text.len() && self.text[self.pos] != quote {
            self.pos += 1;
        }
        if self.pos == self.text.len() {
            return Err(format_error(
                "its header is malformed (unterminated string)",
            ));
        }
        let value = String::from_utf8_lossy(&self.text[start..self.pos]).into_owned();
        self.pos += 1;
        Ok(value)
    }

    fn integer(&mut self) -> Result<usize, NpyError> {
        self.skip_space();
        let start = self.pos;
        while self.pos < self.text.len() && self.text[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        // A long suffix (`3L`) appears in headers written by Python 2.
        let digits = std::str::from_utf8(&self.text[start..self.pos]).unwrap_or_default();
        if self.text.get(self.pos) == Some(&b'L') {
            self.pos += 1;
        }
        digits
            .parse()
            .map_err(|_| format_error("its header is malformed (a bad length in 'shape')"))
    }

    fn value(&mut self) -> Result<Literal, NpyError> {
        self.skip_space();
        let rest = &self.text[self.pos..];
        if rest.starts_with(b"True") {
            self.pos += 4;
            return Ok(Literal::Bool(true));
        }
        if rest.starts_with(b"False") {
            self.pos += 5;
            return Ok(Literal::Bool(false));
        }
        if self.eat(b'(') {
            let mut items = Vec::new();
            loop {
                if self.eat(b')') {
                    break;
                }
                items.push(self.integer()?);
                if !self.eat(b',') {
                    self.expect(b')')?;
                    break;
                }
            }
            return Ok(Literal::Tuple(items));
        }
        Ok(Literal::Str(self.string()?))
    }
}

/// Parses the header dictionary text.
fn parse_dict(text: &[u8]) -> Result<(DType, bool, bool, Vec<usize>), NpyError> {
    let mut parser = DictParser { text, pos: 0 };
    let (mut descr, mut fortran_order, mut shape) = (None, None, None);
    parser.expect(b'{')?;
    loop {
        if parser.eat(b'}') {
            break;
        }
        let key = parser.string()?;
        parser.expect(b':')?;
        let value = parser.value()?;
        match (key.as_str(), value) {
            ("descr", Literal::Str(s)) => descr = Some(s),
            ("fortran_order", Literal::Bool(b)) => fortran_order = Some(b),
            ("shape", Literal::Tuple(t)) => shape = Some(t),
            (key, _) => {
                return Err(format_error(format!(
                    "its header has an unexpected entry '{key}'"
                )));
            }
        }
        if !parser.eat(b',') {
            parser.expect(b'}')?;
            break;
        }
    }
    let (Some(descr), Some(fortran_order), Some(shape)) = (descr, fortran_order, shape) else {
        return Err(format_error(
            "its header lacks 'descr', 'fortran_order' or 'shape'",
        ));
    };
    let (dtype, big_endian) = parse_descr(&descr)?;
    Ok((dtype, big_endian, fortran_order, shape))
}

/// Reads the header from the start of a file's bytes (`prefix` may be just the beginning).
pub fn parse_header(prefix: &[u8]) -> Result<Header, NpyError> {
    if prefix.len() < 10 || &prefix[..6] != MAGIC {
        return Err(format_error("it is not a .npy file (bad magic bytes)"));
    }
    let (header_len, header_start) = match prefix[6] {
        1 => (u16::from_le_bytes([prefix[8], prefix[9]]) as usize, 10),
        2 | 3 if prefix.len() >= 12 => (
            u32::from_le_bytes([prefix[8], prefix[9], prefix[10], prefix[11]]) as usize,
            12,
        ),
        major => {
            return Err(format_error(format!(
                "its format version {major} is not one nx reads (1, 2 or 3)"
            )));
        }
    };
    let data_offset = header_start + header_len;
    let Some(text) = prefix.get(header_start..data_offset) else {
        return Err(format_error("its header is cut short"));
    };
    let (dtype, big_endian, fortran_order, shape) = parse_dict(text)?;
    Ok(Header {
        dtype,
        big_endian,
        fortran_order,
        shape,
        data_offset,
    })
}

/// Reads the header of the file at `path`.
pub fn read_header(path: &Path) -> Result<Header, NpyError> {
    let mut file = File::open(path)?;
    read_header_from(&mut file)
}

fn read_header_from(file: &mut File) -> Result<Header, NpyError> {
    let mut prefix = [0u8; 12];
    let n_read = read_up_to(file, &mut prefix)?;
    let first = parse_header_len(&prefix[..n_read])?;
    let mut whole = vec![0u8; first];
    whole[..n_read].copy_from_slice(&prefix[..n_read]);
    let rest = read_up_to(file, &mut whole[n_read..])?;
    whole.truncate(n_read + rest);
    parse_header(&whole)
}

/// The total length of magic, version, length field and header, from the first 12 bytes.
fn parse_header_len(prefix: &[u8]) -> Result<usize, NpyError> {
    if prefix.len() < 10 || &prefix[..6] != MAGIC {
        return Err(format_error("it is not a .npy file (bad magic bytes)"));
    }
    match prefix[6] {
        1 => Ok(10 + u16::from_le_bytes([prefix[8], prefix[9]]) as usize),
        2 | 3 if prefix.len() >= 12 => {
            Ok(12 + u32::from_le_bytes([prefix[8], prefix[9], prefix[10], prefix[11]]) as usize)
        }
        major => Err(format_error(format!(
            "its format version {major} is not one nx reads (1, 2 or 3)"
        ))),
    }
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

/// Row-major (or, for `fortran`, column-major) strides in elements.
fn strides_for(shape: &[usize], fortran: bool) -> Vec<isize> {
    let mut strides = vec![0isize; shape.len()];
    let mut step = 1isize;
    let axes: Vec<usize> = if fortran {
        (0..shape.len()).collect()
    } else {
        (0..shape.len()).rev().collect()
    };
    for axis in axes {
        strides[axis] = step;
        step = step.saturating_mul(shape[axis].max(1) as isize);
    }
    strides
}

/// Loads the array in the file at `path` (see the module documentation).
pub fn load(path: &Path) -> Result<Array, NpyError> {
    let mut file = File::open(path)?;
    let header = read_header_from(&mut file)?;
    let dtype = header.dtype;
    let n_elems = header
        .shape
        .iter()
        .try_fold(1usize, |acc, &len| acc.checked_mul(len))
        .ok_or_else(|| format_error("its shape is too large"))?;
    let n_bytes = n_elems
        .checked_mul(dtype.size())
        .ok_or_else(|| format_error("its shape is too large"))?;
    let file_len = file.metadata()?.len();
    let needed = header.data_offset as u64 + n_bytes as u64;
    if file_len < needed {
        return Err(format_error(format!(
            "it is cut short: its header promises {n_bytes} bytes of data, it holds {}",
            file_len.saturating_sub(header.data_offset as u64)
        )));
    }
    let strides = strides_for(&header.shape, header.fortran_order);
    if n_bytes == 0 {
        return Ok(Array::zeros(dtype, &header.shape)?);
    }
    // SAFETY: a private mapping: writes through it (there are none, see `make_mut`) would
    // never reach the file. Another process shrinking the file while it is mapped would make
    // reads fault; nx's own `save` replaces files by renaming instead of truncating them.
    let mut map = unsafe {
        memmap2::MmapOptions::new()
            .offset(0)
            .len(needed as usize)
            .map_copy(&file)?
    };
    let data_ptr = map.as_mut_ptr().wrapping_add(header.data_offset);
    let aligned = (data_ptr as usize).is_multiple_of(dtype.size());
    let data = &map[header.data_offset..header.data_offset + n_bytes];
    let bools_ok = dtype != DType::Bool || data.iter().all(|&b| b <= 1);
    if !header.big_endian && aligned && bools_ok {
        // SAFETY: the mapping is readable and (privately) writable for `needed` bytes, of
        // which the data is the last `n_bytes`, and it lives as long as the owner box, which
        // the buffer keeps until it is dropped. The mapping does not move with the box.
        let buffer = unsafe { Buffer::from_external(data_ptr, n_bytes, Box::new(map)) };
        return Ok(Array::from_parts(
            dtype,
            header.shape,
            strides,
            0,
            Arc::new(buffer),
        ));
    }
    // Copy into an owned buffer, swapping bytes and normalizing bools as needed.
    let fresh = Buffer::zeroed(n_bytes)?;
    // SAFETY: the fresh buffer has exactly `n_bytes` bytes and nobody else sees it yet.
    let target = unsafe { std::slice::from_raw_parts_mut(fresh.as_mut_ptr(), n_bytes) };
    target.copy_from_slice(data);
    if header.big_endian {
        for element in target.chunks_exact_mut(dtype.size()) {
            element.reverse();
        }
    }
    if dtype == DType::Bool {
        for byte in target.iter_mut() {
            *byte = (*byte != 0) as u8;
        }
    }
    Ok(Array::from_parts(
        dtype,
        header.shape,
        strides,
        0,
        Arc::new(fresh),
    ))
}

/// The header block of a version 1.0 file for `dtype` and `shape`: magic, version, length
/// and the dictionary padded with spaces and a newline to a multiple of 64 bytes, as NumPy
/// writes it. Falls back to version 2.0 if the dictionary does not fit in 65535 bytes.
pub fn header_bytes(dtype: DType, shape: &[usize]) -> Vec<u8> {
    let shape_text = match shape {
        [] => "()".to_string(),
        [len] => format!("({len},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|len| len.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let dict = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {shape_text}, }}",
        descr_of(dtype)
    );
    // +1 for the terminating newline.
    let padded_len = |prefix_len: usize| (prefix_len + dict.len() + 1).div_ceil(64) * 64;
    let (mut bytes, prefix_len) = if padded_len(10) - 10 <= u16::MAX as usize {
        let header_len = padded_len(10) - 10;
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&[1, 0]);
        bytes.extend_from_slice(&(header_len as u16).to_le_bytes());
        (bytes, 10)
    } else {
        let header_len = padded_len(12) - 12;
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&[2, 0]);
        bytes.extend_from_slice(&(header_len as u32).to_le_bytes());
        (bytes, 12)
    };
    bytes.extend_from_slice(dict.as_bytes());
    bytes.resize(padded_len(prefix_len) - 1, b' ');
    bytes.push(b'\n');
    bytes
}

/// Writes `array` to `path` as a `.npy` file (C order, little-endian).
pub fn save(path: &Path, array: &Array) -> Result<(), NpyError> {
    let contiguous = array.to_contiguous()?;
    let n_bytes = contiguous.size() * contiguous.dtype().size();
    let data: &[u8] = if n_bytes == 0 {
        &[]
    } else {
        // SAFETY: a non-empty C-contiguous array's `size()` elements are consecutive from
        // `data_ptr()` inside its buffer, which `contiguous` keeps alive for this borrow.
        unsafe { std::slice::from_raw_parts(contiguous.data_ptr(), n_bytes) }
    };
    let swapped: Vec<u8>;
    let data = if cfg!(target_endian = "big") && array.dtype().size() > 1 {
        swapped = data
            .chunks_exact(array.dtype().size())
            .flat_map(|element| element.iter().rev().copied())
            .collect();
        &swapped[..]
    } else {
        data
    };
    let temp_path = temporary_path(path);
    let result = (|| -> std::io::Result<()> {
        let mut file = File::create(&temp_path)?;
        file.write_all(&header_bytes(array.dtype(), array.shape()))?;
        file.write_all(data)?;
        file.flush()?;
        drop(file);
        std::fs::rename(&temp_path, path)
    })();
    match result {
        Ok(()) => Ok(()),
        Err(err) => {
            let _ = std::fs::remove_file(&temp_path);
            if err.kind() == std::io::ErrorKind::NotFound {
                return Err(format_error("its directory does not exist"));
            }
            Err(NpyError::Io(err))
        }
    }
}

/// A file name next to `path` for writing before the rename.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.nx-{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_padded_to_64_bytes_and_parses_back() {
        for shape in [vec![], vec![3], vec![2, 3], vec![0, 5, 7]] {
            let bytes = header_bytes(DType::F32, &shape);
            assert_eq!(bytes.len() % 64, 0);
            assert_eq!(*bytes.last().unwrap(), b'\n');
            let header = parse_header(&bytes).unwrap();
            assert_eq!(header.shape, shape);
            assert_eq!(header.dtype, DType::F32);
            assert!(!header.fortran_order && !header.big_endian);
            assert_eq!(header.data_offset, bytes.len());
        }
    }

    #[test]
    fn header_text_matches_numpy() {
        let bytes = header_bytes(DType::I64, &[3]);
        let text = std::str::from_utf8(&bytes[10..]).unwrap();
        assert!(text.starts_with("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }"));
        assert_eq!(&bytes[..10], b"\x93NUMPY\x01\x00\x76\x00");
    }

    #[test]
    fn bad_headers_are_errors() {
        assert!(parse_header(b"not a npy file at all").is_err());
        let mut bytes = header_bytes(DType::F64, &[2]);
        bytes[20] = b'#';
        assert!(parse_header(&bytes).is_err());
        assert!(parse_descr("<c16").is_err());
        assert_eq!(parse_descr(">f8").unwrap(), (DType::F64, true));
        assert_eq!(parse_descr("|i1").unwrap(), (DType::I8, false));
    }
}
