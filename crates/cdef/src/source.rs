//! Positions: the map from rewritten text back to the user's text, and from there to a file,
//! line and column.
//!
//! The pre-pass rewrites the user's text (comments blanked, cffi's `...` forms replaced,
//! attributes moved). [`Rewriter`] builds the new text and a [`SourceMap`] of segments, so any
//! byte offset of the rewritten text maps back to a byte offset of the user's text.
//! [`LineIndex`] then turns that into a line and column, honouring `# N "file"` markers.

use std::sync::Arc;

use crate::error::{CdefError, Located, Location};

#[derive(Copy, Clone, Debug)]
struct Segment {
    /// Start of the segment in the output text.
    out: usize,
    /// Start of the segment in the input text.
    input: usize,
    /// Synthetic segments hold text that is not in the input; all of it maps to `input`.
    synthetic: bool,
}

/// Maps byte offsets of rewritten text back to byte offsets of the original text.
#[derive(Debug, Default)]
pub(crate) struct SourceMap {
    segments: Vec<Segment>,
    /// The segment of the last lookup: lowering asks for positions in increasing order, so the
    /// next answer is usually in the same or the next segment.
    /// (Atomic so that parser threads can share the map; the hint is only an optimisation.)
    hint: std::sync::atomic::AtomicUsize,
}

impl SourceMap {
    /// The input offset that produced output offset `out`.
    pub(crate) fn to_input(&self, out: usize) -> usize {
        let segs = &self.segments;
        let h = self.hint.load(std::sync::atomic::Ordering::Relaxed);
        let contains = |i: usize| segs[i].out <= out && segs.get(i + 1).is_none_or(|n| n.out > out);
        let i = if h < segs.len() && contains(h) {
            h + 1
        } else if h + 1 < segs.len() && contains(h + 1) {
            h + 2
        } else {
            segs.partition_point(|s| s.out <= out)
        };
        if i == 0 {
            return out;
        }
        self.hint.store(i - 1, std::sync::atomic::Ordering::Relaxed);
        let seg = segs[i - 1];
        if seg.synthetic {
            seg.input
        } else {
            seg.input + (out - seg.out)
        }
    }
}

impl SourceMap {
    /// A map from input offsets to output offsets, for offsets outside replaced text (the end
    /// of a `;` token, say).
    pub(crate) fn inverse(&self) -> InverseMap {
        InverseMap {
            // Copied segments, which are in input order (inserted text is not).
            segments: self
                .segments
                .iter()
                .filter(|s| !s.synthetic)
                .map(|s| (s.input, s.out))
                .collect(),
        }
    }
}

/// See [`SourceMap::inverse`].
pub(crate) struct InverseMap {
    segments: Vec<(usize, usize)>,
}

impl InverseMap {
    /// The output offset of an input offset.
    pub(crate) fn to_output(&self, input: usize) -> usize {
        let i = self.segments.partition_point(|s| s.0 <= input);
        match i {
            0 => input,
            _ => {
                let (inp, out) = self.segments[i - 1];
                out + (input - inp)
            }
        }
    }
}

/// Builds rewritten text from an input, recording a [`SourceMap`].
pub(crate) struct Rewriter<'a> {
    input: &'a str,
    out: String,
    map: SourceMap,
    /// Input up to here has been written to the output.
    done: usize,
}

impl<'a> Rewriter<'a> {
    pub(crate) fn new(input: &'a str) -> Rewriter<'a> {
        Rewriter {
            input,
            out: String::with_capacity(input.len() + input.len() / 16),
            map: SourceMap::default(),
            done: 0,
        }
    }

    fn push_segment(&mut self, input: usize, synthetic: bool) {
        let out = self.out.len();
        if let Some(last) = self.map.segments.last_mut()
            && last.out == out
        {
            *last = Segment {
                out,
                input,
                synthetic,
            };
            return;
        }
        self.map.segments.push(Segment {
            out,
            input,
            synthetic,
        });
    }

    /// Copies the input up to `pos` unchanged.
    pub(crate) fn copy_to(&mut self, pos: usize) {
        if pos <= self.done {
            return;
        }
        let continuous = self
            .map
            .segments
            .last()
            .is_some_and(|s| !s.synthetic && s.input + (self.out.len() - s.out) == self.done);
        if !continuous {
            self.push_segment(self.done, false);
        }
        self.out.push_str(&self.input[self.done..pos]);
        self.done = pos;
    }

    /// Replaces `input[start..end]` with `text`; positions inside `text` map to `start`.
    pub(crate) fn replace(&mut self, start: usize, end: usize, text: &str) {
        self.copy_to(start);
        self.push_segment(start, true);
        self.out.push_str(text);
        self.done = end.max(start);
    }

    /// Inserts `text` at input position `pos`; positions inside it map to `origin`.
    pub(crate) fn insert(&mut self, pos: usize, text: &str, origin: usize) {
        self.copy_to(pos);
        self.push_segment(origin, true);
        self.out.push_str(text);
    }

    /// Replaces `input[start..end]` with spaces, keeping line breaks, so that offsets stay put.
    pub(crate) fn blank(&mut self, start: usize, end: usize) {
        self.copy_to(start);
        self.push_segment(start, false);
        for b in self.input.as_bytes()[start..end].iter() {
            self.out.push(if *b == b'\n' { '\n' } else { ' ' });
        }
        self.done = end;
    }

    pub(crate) fn finish(mut self) -> (String, SourceMap) {
        self.copy_to(self.input.len());
        (self.out, self.map)
    }
}

/// A `# N "file"` or `#line N "file"` marker: the line after it is line `line` of `file`.
#[derive(Clone, Debug)]
pub(crate) struct LineMarker {
    /// Byte offset (in the user's text) where the next line starts.
    pub(crate) next_line: usize,
    pub(crate) line: u32,
    pub(crate) file: Option<Arc<str>>,
}

/// Turns byte offsets of the user's text into file, line and column.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    default_file: Arc<str>,
    markers: &'a [LineMarker],
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str, default_file: &str, markers: &'a [LineMarker]) -> Self {
        LineIndex {
            text,
            default_file: default_file.into(),
            markers,
        }
    }

    /// Locates byte offset `pos` of the user's text.
    pub(crate) fn locate(&self, pos: usize) -> Location {
        let mut pos = pos.min(self.text.len());
        while !self.text.is_char_boundary(pos) {
            pos -= 1;
        }
        let bytes = self.text.as_bytes();
        let line_start = bytes[..pos]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = bytes[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| pos + i);
        let column = self.text[line_start..pos].chars().count() as u32 + 1;
        let (file, first_line, from) = match self
            .markers
            .iter()
            .rev()
            .find(|m| m.next_line <= line_start)
        {
            Some(m) => (
                m.file.clone().unwrap_or_else(|| self.file_before(m)),
                m.line,
                m.next_line,
            ),
            None => (self.default_file.clone(), 1, 0),
        };
        let newlines = bytes[from..line_start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        Location {
            file,
            line: first_line.saturating_add(newlines),
            column,
            source_line: self.text[line_start..line_end]
                .trim_end_matches('\r')
                .to_string(),
        }
    }

    /// The file and line of each offset (in any order), in one pass over the text: what
    /// [`LineIndex::locate`] says of each, without its column and source line.
    pub(crate) fn places(&self, positions: &[usize]) -> Vec<crate::report::Place> {
        let mut order: Vec<usize> = (0..positions.len()).collect();
        order.sort_by_key(|&i| positions[i]);
        let bytes = self.text.as_bytes();
        let mut out = vec![
            crate::report::Place {
                file: self.default_file.clone(),
                line: 1,
            };
            positions.len()
        ];
        let mut next_marker = 0;
        // The file and line of the line that starts at `at`.
        let (mut file, mut line, mut at) = (self.default_file.clone(), 1u32, 0usize);
        for i in order {
            let pos = positions[i].min(bytes.len());
            let line_start = bytes[at..pos]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(at, |k| at + k + 1);
            while let Some(m) = self.markers.get(next_marker)
                && m.next_line <= line_start
            {
                if m.next_line >= at {
                    if let Some(f) = &m.file {
                        file = f.clone();
                    }
                    line = m.line;
                    at = m.next_line;
                }
                next_marker += 1;
            }
            let newlines = bytes[at..line_start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            line = line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
            at = line_start;
            out[i] = crate::report::Place {
                file: file.clone(),
                line,
            };
        }
        out
    }

    /// The file name in effect before marker `m` (a `#line N` without a file keeps it).
    fn file_before(&self, m: &LineMarker) -> Arc<str> {
        self.markers
            .iter()
            .rev()
            .skip_while(|x| !std::ptr::eq(*x, m))
            .skip(1)
            .find_map(|x| x.file.clone())
            .unwrap_or_else(|| self.default_file.clone())
    }

    /// Gives a located error (whose offset is in the user's text) its position.
    pub(crate) fn finish(&self, err: Located) -> CdefError {
        match err.offset {
            None => err.error,
            Some(off) => err.error.with_location(self.locate(off)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewriter_maps_replacements_back() {
        let text = "ab...cd/*x*/ef";
        let mut w = Rewriter::new(text);
        w.replace(2, 5, "__dotdotdot__");
        w.blank(7, 12);
        let (out, map) = w.finish();
        assert_eq!(out, "ab__dotdotdot__cd     ef");
        assert_eq!(map.to_input(0), 0);
        assert_eq!(map.to_input(3), 2);
        assert_eq!(map.to_input(15), 5); // 'c'
        assert_eq!(map.to_input(out.len() - 1), text.len() - 1);
    }

    /// `places` says of every offset what `locate` says, through markers with and without a
    /// file, at every offset of a text (in a shuffled order).
    #[test]
    fn places_agree_with_locate() {
        let text = "int a;\n# 42 \"foo.h\"\nint b;\n\n# 7\nint c;\n# 1 \"bar.h\" 2\nint d;\nint e;";
        let markers = crate::preprocess::line_markers(text);
        assert_eq!(markers.len(), 3);
        let idx = LineIndex::new(text, "<cdef>", &markers);
        let mut positions: Vec<usize> = (0..=text.len()).collect();
        positions.reverse();
        positions.rotate_left(17);
        let places = idx.places(&positions);
        for (pos, place) in positions.iter().zip(&places) {
            let loc = idx.locate(*pos);
            assert_eq!(
                (&loc.file, loc.line),
                (&place.file, place.line),
                "offset {pos}"
            );
        }
        let d = places[positions
            .iter()
            .position(|&p| p == text.find("d;").unwrap())
            .unwrap()]
        .clone();
        assert_eq!((&*d.file, d.line), ("bar.h", 1));
    }

    #[test]
    fn line_markers_renumber() {
        let text = "int a;\n# 42 \"foo.h\"\nint b;\nint c;";
        let markers = [LineMarker {
            next_line: 20,
            line: 42,
            file: Some("foo.h".into()),
        }];
        let idx = LineIndex::new(text, "<cdef>", &markers);
        let loc = idx.locate(text.find("c;").unwrap());
        assert_eq!((&*loc.file, loc.line, loc.column), ("foo.h", 43, 5));
        let loc = idx.locate(4);
        assert_eq!((&*loc.file, loc.line, loc.column), ("<cdef>", 1, 5));
    }
}
