//! Reading a gzip stream as `gzip -d` does: every member in turn (concatenated `.gz` files
//! decompress to their concatenation), and zero bytes after the last member ignored (tape
//! blocking and padded downloads add them; GNU tar extracts such an archive). Anything else
//! after a member is refused as corrupt: `gzip -d` only warns about it, but it would be
//! data silently dropped.

use std::io::{self, BufRead, Read};

use flate2::bufread::GzDecoder;

/// The first byte of a gzip member (its header, magic included, is checked by flate2).
const MAGIC: [u8; 1] = [0x1f];

/// The decompressed bytes of every gzip member of `R`.
pub(super) struct Members<R: BufRead> {
    state: State<R>,
}

enum State<R: BufRead> {
    /// Inside a member (boxed: the decoder's state is large, and one exists at a time).
    Member(Box<GzDecoder<R>>),
    /// Between members, or after the last one; `true` once zero padding began (then only
    /// zeros may follow).
    Between(R, bool),
    /// An error ended the stream.
    Done,
}

impl<R: BufRead> Members<R> {
    /// Reads `reader`, which must start with a gzip member.
    pub(super) fn new(reader: R) -> Members<R> {
        Members {
            state: State::Member(Box::new(GzDecoder::new(reader))),
        }
    }
}

impl<R: BufRead> Read for Members<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Member(mut member) => match member.read(buf)? {
                    // The member ended, its CRC and length checked: what follows it?
                    0 => self.state = State::Between(member.into_inner(), false),
                    n => {
                        self.state = State::Member(member);
                        return Ok(n);
                    }
                },
                State::Between(mut rest, padded) => {
                    let next = rest.fill_buf()?;
                    if next.is_empty() {
                        self.state = State::Between(rest, padded);
                        return Ok(0);
                    }
                    if !padded && next[0] == MAGIC[0] {
                        // Another member (its header is checked as it is read).
                        self.state = State::Member(Box::new(GzDecoder::new(rest)));
                    } else if next.iter().all(|&b| b == 0) {
                        let n = next.len();
                        rest.consume(n);
                        self.state = State::Between(rest, true);
                    } else {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "data after the gzip stream that is neither a gzip member nor zero padding",
                        ));
                    }
                }
                State::Done => return Ok(0),
            }
        }
    }
}
