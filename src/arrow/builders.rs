//! The column builders behind [`FrameColumns`](super::FrameColumns): values in plain `Vec`s,
//! validity packed into Arrow's bit layout as rows are appended, and no buffer at all for a
//! column that stays null through a batch (a number column's array reads a shared buffer of
//! zeros, a text column's is Arrow's array of nulls).
//!
//! Arrow's own builders cost several times the values in bookkeeping; a `Vec<bool>` of
//! validity cost a byte a row and a packing pass per batch (BENCHMARKS.md, "Parquet speed
//! and Python memory, session 12").

use arrow_array::StringArray;
use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer, OffsetBufferBuilder, ScalarBuffer};
use arrow_schema::ArrowError;

/// Booleans packed least significant bit first into 64-bit words as they are appended:
/// Arrow's layout of validity and boolean values. The row count is the caller's: every
/// column of a batch has the same, so [`FrameColumns`](super::FrameColumns) keeps it once and
/// ends the words of all columns together ([`Bits::end_word`]).
#[derive(Debug, Default)]
pub(super) struct Bits {
    words: Vec<u64>,
    /// The word being filled: its bits below `row % 64`.
    current: u64,
}

impl Bits {
    /// Reserves room for `bits` bits.
    pub(super) fn reserve(&mut self, bits: usize) {
        self.words.reserve_exact(bits.div_ceil(64));
    }

    /// Sets the bit of row `row` (of the word being filled, so `row % 64`).
    #[inline]
    pub(super) fn set(&mut self, bit: bool, row: usize) {
        self.current |= u64::from(bit) << (row % 64);
    }

    /// Ends the word being filled, after its 64th row.
    #[inline]
    pub(super) fn end_word(&mut self) {
        self.words.push(self.current.to_le());
        self.current = 0;
    }

    /// The bits of `rows` rows as an Arrow buffer; empty afterwards.
    pub(super) fn take(&mut self, rows: usize) -> BooleanBuffer {
        if !rows.is_multiple_of(64) {
            self.end_word();
        }
        let words = std::mem::take(&mut self.words);
        BooleanBuffer::new(Buffer::from_vec(words), 0, rows)
    }

    /// The bits of `rows` rows as validity: `None` when every row is valid; empty
    /// afterwards.
    pub(super) fn take_nulls(&mut self, rows: usize) -> Option<NullBuffer> {
        let bits = self.take(rows);
        (bits.count_set_bits() != bits.len()).then(|| NullBuffer::new(bits))
    }
}

/// Zeros shared by the arrays of the number columns that are null in every row of a batch:
/// their values read this buffer instead of a buffer of their own.
#[derive(Debug)]
pub(super) struct Zeros(Buffer);

impl Zeros {
    /// No zeros yet: [`Zeros::for_rows`] makes them.
    pub(super) fn new() -> Zeros {
        Zeros(Buffer::from_vec(Vec::<u64>::new()))
    }

    /// The zeros, at least 8 bytes for each of `rows + 1` rows (made anew when they are
    /// too short; a calloc'ed buffer whose pages are never written).
    pub(super) fn for_rows(&mut self, rows: usize) -> &Buffer {
        if self.0.len() < (rows + 1) * 8 {
            self.0 = Buffer::from_vec(vec![0u64; rows + 1]);
        }
        &self.0
    }
}

/// The values and validity of a number or time column. The values are written from the
/// first non-null row on, in place: the slots are zeroed a word of 64 rows at a time, the
/// first word at the batch's first value and each next one as the last ends (a null row
/// keeps its zero); a column null in every row of a batch writes none.
///
/// Zeroing a word at a time writes each slot just before its row is written, where zeroing
/// the whole batch at its first value wrote a batch of slots at once (`memset` of up to
/// 512 KB a column).
#[derive(Debug)]
pub(super) struct Plain<T> {
    /// A zeroed slot for each row of the current word and the words before it, once live.
    values: Vec<T>,
    valid: Bits,
    /// Whether `values` holds the batch's slots.
    live: bool,
    /// Rows to reserve at a batch's first row: the last batch's.
    rows: usize,
}

impl<T: Copy + Default + arrow_buffer::ArrowNativeType> Plain<T> {
    pub(super) fn new(rows: usize) -> Plain<T> {
        Plain {
            values: Vec::new(),
            valid: Bits::default(),
            live: false,
            rows,
        }
    }

    /// Reserves the validity of a batch; the values are reserved at its first value.
    pub(super) fn reserve(&mut self) {
        self.valid.reserve(self.rows);
    }

    /// Appends the value of row `row` (the rows before it appended): a null writes nothing
    /// but its validity bit.
    #[inline]
    pub(super) fn append_option(&mut self, value: Option<T>, row: usize) {
        if let Some(value) = value {
            match self.values.get_mut(row) {
                Some(slot) => *slot = value,
                None => self.start_values(row, value),
            }
        }
        self.valid.set(value.is_some(), row);
    }

    /// Ends the word of the rows so far (a multiple of 64): its validity, and zeroed slots
    /// for the next word's rows.
    #[inline]
    pub(super) fn end_word(&mut self) {
        self.valid.end_word();
        if self.live {
            self.values.resize(self.values.len() + 64, T::default());
        }
    }

    /// Writes the value of row `row`, past the zeroed slots (the batch's first value): room
    /// for as many rows as the last batch took and the word after them (a batch of whole
    /// words ends one), and zeros up to the end of the row's word.
    #[cold]
    fn start_values(&mut self, row: usize, value: T) {
        self.values
            .reserve_exact(self.rows.max(row + 1).next_multiple_of(64) + 64);
        self.values.resize((row / 64 + 1) * 64, T::default());
        self.values[row] = value;
        self.live = true;
    }

    /// The values of the batch's `rows` rows (from `zeros` when every row is null) and
    /// their validity; the builder is empty afterwards.
    pub(super) fn take(
        &mut self,
        rows: usize,
        zeros: &Buffer,
    ) -> (ScalarBuffer<T>, Option<NullBuffer>) {
        self.rows = self.rows.max(rows);
        let nulls = self.valid.take_nulls(rows);
        let values = if std::mem::take(&mut self.live) {
            let mut values = std::mem::take(&mut self.values);
            values.truncate(rows);
            ScalarBuffer::from(values)
        } else {
            ScalarBuffer::new(zeros.clone(), 0, rows)
        };
        (values, nulls)
    }
}

/// The values and validity of a boolean column, both as bits.
#[derive(Debug)]
pub(super) struct Flags {
    values: Bits,
    valid: Bits,
    /// Rows to reserve at a batch's first row: the last batch's.
    rows: usize,
}

impl Flags {
    pub(super) fn new(rows: usize) -> Flags {
        Flags {
            values: Bits::default(),
            valid: Bits::default(),
            rows,
        }
    }

    pub(super) fn reserve(&mut self) {
        self.values.reserve(self.rows);
        self.valid.reserve(self.rows);
    }

    /// Appends the value of row `row` (the rows before it appended).
    #[inline]
    pub(super) fn append_option(&mut self, value: Option<bool>, row: usize) {
        self.values.set(value.unwrap_or_default(), row);
        self.valid.set(value.is_some(), row);
    }

    /// Ends the words of the rows so far (a multiple of 64).
    #[inline]
    pub(super) fn end_word(&mut self) {
        self.values.end_word();
        self.valid.end_word();
    }

    /// The values of the batch's `rows` rows and their validity; the builder is empty
    /// afterwards.
    pub(super) fn take(&mut self, rows: usize) -> (BooleanBuffer, Option<NullBuffer>) {
        self.rows = self.rows.max(rows);
        (self.values.take(rows), self.valid.take_nulls(rows))
    }
}

/// The offsets, bytes and validity of a text column, written in place: no `String` and no
/// UTF-8 check a cell (the cells are ASCII made here or `&str`s); the column is checked once,
/// when its array is made. As with [`Plain`], the offsets are written from the first
/// non-null row on, by row lengths (an [`OffsetBufferBuilder`]: its offsets need no
/// monotonicity check a row when the array is made); a column null in every row of a batch
/// is [`StringArray::new_null`], not checked at all.
#[derive(Debug)]
pub(super) struct Text {
    offsets: OffsetBufferBuilder<i32>,
    bytes: Vec<u8>,
    /// Where the current row's bytes start in `bytes`.
    row_start: usize,
    valid: Bits,
    /// Whether `offsets` holds an end for each row so far.
    live: bool,
    /// Rows and bytes to reserve at a batch's first value: the last batch's.
    rows: usize,
    reserve_bytes: usize,
    /// Cells remembered by key ([`Text::recall`]): [`MEMO_SLOTS`] slots, made at the first
    /// [`Text::remember`].
    memo: Vec<(u64, Vec<u8>)>,
}

/// Slots of a text column's memo: direct-mapped by key, so its memory is bounded whatever
/// the capture holds.
const MEMO_SLOTS: usize = 256;

/// The key of no cell: an empty memo slot.
const NO_KEY: u64 = u64::MAX;

/// A key's memo slot.
fn memo_slot(key: u64) -> usize {
    // Fibonacci hashing: the top 8 bits of the key times 2^64 / φ.
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize % MEMO_SLOTS
}

impl Text {
    pub(super) fn new(rows: usize, bytes: usize) -> Text {
        Text {
            offsets: OffsetBufferBuilder::new(0),
            bytes: Vec::new(),
            row_start: 0,
            valid: Bits::default(),
            live: false,
            rows,
            reserve_bytes: bytes,
            memo: Vec::new(),
        }
    }

    /// Reserves the validity of a batch; offsets and bytes are reserved at its first value.
    pub(super) fn reserve(&mut self) {
        self.valid.reserve(self.rows);
    }

    /// Starts row `row` as non-null (the rows before it appended): its bytes follow, then
    /// [`Text::end_row`].
    #[inline]
    pub(super) fn begin_value(&mut self, row: usize) {
        if !self.live {
            self.start_values(row);
        }
    }

    /// Makes room for the batch's offsets and bytes, with an empty text for each of the
    /// `rows` null rows so far.
    #[cold]
    fn start_values(&mut self, rows: usize) {
        self.offsets = OffsetBufferBuilder::new(self.rows);
        for _ in 0..rows {
            self.offsets.push_length(0);
        }
        self.bytes.reserve_exact(self.reserve_bytes);
        self.live = true;
    }

    #[inline]
    pub(super) fn push_bytes(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    /// How many bytes the column holds: where the current row's bytes start, before it
    /// pushes any.
    pub(super) fn bytes_len(&self) -> usize {
        self.bytes.len()
    }

    /// Appends the bytes remembered under `key` (never [`u64::MAX`]), if they still are.
    #[inline]
    pub(super) fn recall(&mut self, key: u64) -> bool {
        match self.memo.get(memo_slot(key)) {
            Some((slot_key, bytes)) if *slot_key == key => {
                self.bytes.extend_from_slice(bytes);
                true
            }
            _ => false,
        }
    }

    /// Remembers the bytes pushed since `start` under `key`, in place of what its slot held.
    pub(super) fn remember(&mut self, key: u64, start: usize) {
        if self.memo.is_empty() {
            self.memo = vec![(NO_KEY, Vec::new()); MEMO_SLOTS];
        }
        let (slot_key, bytes) = &mut self.memo[memo_slot(key)];
        *slot_key = key;
        bytes.clear();
        bytes.extend_from_slice(&self.bytes[start..]);
    }

    /// Ends row `row`: the bytes pushed since the last row are its value, or it is null.
    #[inline]
    pub(super) fn end_row(&mut self, valid: bool, row: usize) {
        if self.live {
            // Past i32 offsets, `take` refuses the batch.
            self.offsets.push_length(self.bytes.len() - self.row_start);
            self.row_start = self.bytes.len();
        }
        self.valid.set(valid, row);
    }

    /// Ends the validity word of the rows so far (a multiple of 64).
    #[inline]
    pub(super) fn end_word(&mut self) {
        self.valid.end_word();
    }

    /// The batch's `rows` rows as an array (checked as UTF-8 once); the builder is empty
    /// afterwards.
    pub(super) fn take(&mut self, rows: usize) -> Result<StringArray, ArrowError> {
        self.rows = self.rows.max(rows);
        self.reserve_bytes = self.bytes.len().max(self.reserve_bytes);
        if !std::mem::take(&mut self.live) {
            self.valid.take(rows);
            return Ok(StringArray::new_null(rows));
        }
        let nulls = self.valid.take_nulls(rows);
        let offsets = std::mem::replace(&mut self.offsets, OffsetBufferBuilder::new(0))
            .try_finish()
            .map_err(|_| ArrowError::OffsetOverflowError(self.bytes.len()))?;
        self.row_start = 0;
        let bytes = Buffer::from_vec(std::mem::take(&mut self.bytes));
        StringArray::try_new(offsets, bytes, nulls)
    }
}

impl std::fmt::Write for Text {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.push_bytes(text.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;

    /// Appends `pattern` to `bits` as rows, ending a word after each 64th as
    /// `FrameColumns` does.
    fn set_all(bits: &mut Bits, pattern: &[bool]) {
        for (row, &bit) in pattern.iter().enumerate() {
            bits.set(bit, row);
            if (row + 1).is_multiple_of(64) {
                bits.end_word();
            }
        }
    }

    #[test]
    fn bits_read_as_set_across_words() {
        let pattern: Vec<bool> = (0..200).map(|i| i % 3 == 0 || i == 130).collect();
        let mut bits = Bits::default();
        bits.reserve(10);
        set_all(&mut bits, &pattern);
        let buffer = bits.take(200);
        assert_eq!(buffer.iter().collect::<Vec<_>>(), pattern);
        bits.set(true, 0);
        assert_eq!(bits.take(1).iter().collect::<Vec<_>>(), [true]);
        // A batch of whole words has no word left to end.
        set_all(&mut bits, &[false; 128]);
        assert_eq!(bits.take(128).iter().collect::<Vec<_>>(), [false; 128]);
    }

    #[test]
    fn validity_is_none_only_without_nulls() {
        let mut bits = Bits::default();
        set_all(&mut bits, &[true; 64]);
        assert!(bits.take_nulls(64).is_none());
        set_all(&mut bits, &[true, false]);
        let nulls = bits.take_nulls(2).unwrap();
        assert_eq!((nulls.len(), nulls.null_count()), (2, 1));
    }

    #[test]
    fn a_column_null_throughout_reads_the_shared_zeros() {
        let mut zeros = Zeros::new();
        let mut column = Plain::<i64>::new(4);
        column.reserve();
        for row in 0..5 {
            column.append_option(None, row);
        }
        let shared = zeros.for_rows(5).clone();
        let (values, nulls) = column.take(5, &shared);
        assert_eq!(values.as_ref(), [0; 5]);
        assert_eq!(nulls.unwrap().null_count(), 5);
        assert_eq!(values.inner().as_ptr(), shared.as_ptr());
    }

    #[test]
    fn a_remembered_cell_is_recalled_until_its_slot_is_reused() {
        let mut text = Text::new(4, 16);
        text.reserve();
        assert!(!text.recall(7));
        text.begin_value(0);
        text.push_bytes(b"A:B");
        text.remember(7, 0);
        text.end_row(true, 0);
        text.begin_value(1);
        assert!(text.recall(7));
        text.end_row(true, 1);
        // A key of the same slot replaces it.
        let other = (0..u64::MAX)
            .find(|&k| k != 7 && memo_slot(k) == memo_slot(7))
            .unwrap();
        let start = text.bytes_len();
        text.begin_value(2);
        text.push_bytes(b"C");
        text.remember(other, start);
        text.end_row(true, 2);
        assert!(!text.recall(7));
        let array = text.take(3).unwrap();
        assert_eq!(array.value_offsets(), [0, 3, 6, 7]);
        assert_eq!(array.value_data(), b"A:BA:BC");
    }

    #[test]
    fn a_batch_past_the_reserved_rows_grows_and_ends_in_zeros() {
        let mut zeros = Zeros::new();
        let mut column = Plain::<i32>::new(2);
        column.reserve();
        let value = |row: usize| [3, 70, 149].contains(&row).then_some(row as i32);
        for row in 0..150 {
            column.append_option(value(row), row);
            if (row + 1).is_multiple_of(64) {
                column.end_word();
            }
        }
        let (values, nulls) = column.take(150, zeros.for_rows(150));
        let expected: Vec<i32> = (0..150).map(|row| value(row).unwrap_or(0)).collect();
        assert_eq!(values.as_ref(), expected);
        assert_eq!(nulls.unwrap().null_count(), 147);
        // The next batch reserves as many rows as this one took.
        column.reserve();
        column.append_option(Some(9), 0);
        let (values, nulls) = column.take(1, zeros.for_rows(1));
        assert_eq!((values.as_ref(), nulls), (&[9][..], None));
    }

    #[test]
    fn nulls_before_the_first_value_are_zeros() {
        let mut zeros = Zeros::new();
        let mut column = Plain::<i16>::new(2);
        column.reserve();
        for (row, value) in [None, None, Some(7), None, Some(-3)]
            .into_iter()
            .enumerate()
        {
            column.append_option(value, row);
        }
        let (values, nulls) = column.take(5, zeros.for_rows(5));
        assert_eq!(values.as_ref(), [0, 0, 7, 0, -3]);
        let valid: Vec<bool> = nulls.unwrap().iter().collect();
        assert_eq!(valid, [false, false, true, false, true]);

        let mut text = Text::new(2, 4);
        text.reserve();
        text.end_row(false, 0);
        text.begin_value(1);
        text.push_bytes(b"ab");
        text.end_row(true, 1);
        text.end_row(false, 2);
        let array = text.take(3).unwrap();
        assert_eq!(array.value_offsets(), [0, 0, 2, 2]);
        assert_eq!(array.value_data(), b"ab");
        assert_eq!(array.null_count(), 2);

        // A text column null in every row is an array of nulls.
        text.reserve();
        text.end_row(false, 0);
        text.end_row(false, 1);
        let array = text.take(2).unwrap();
        assert_eq!((array.len(), array.null_count()), (2, 2));
    }
}
