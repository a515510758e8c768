//! Per-glob rendering of files: size only, digest only, or a custom renderer, for outputs
//! whose bytes are not worth reviewing (archives, images) or need decoding first.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use dmemfs_core::GlobPattern;

use super::{RenderOptions, pattern};

/// A custom renderer: the text shown for a file's contents.
type Renderer = Arc<dyn Fn(&[u8]) -> String + Send + Sync>;

#[derive(Clone)]
enum View {
    Size,
    Digest,
    Custom { label: String, render: Renderer },
}

/// The per-glob views of [`RenderOptions`], in the order given: the first that matches a file
/// (or a directory above it) decides how it is shown.
#[derive(Clone, Default)]
pub(super) struct FileViews(Vec<(GlobPattern, View)>);

impl fmt::Debug for FileViews {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(glob, view)| {
                let view = match view {
                    View::Size => "size only".to_owned(),
                    View::Digest => "digest only".to_owned(),
                    View::Custom { label, .. } => format!("custom ({label})"),
                };
                (glob.as_str().to_owned(), view)
            }))
            .finish()
    }
}

impl RenderOptions {
    /// Shows files matching `glob` by their size only, without contents or digest:
    /// `app.log.1.gz (1234 bytes)`. Globs are relative to the rendered root, as in
    /// [`include`](Self::include); `**/*.gz` matches at any depth, and a directory's glob
    /// covers the files below it. When several per-file globs match, the first given wins.
    ///
    /// # Panics
    /// If `glob` is not a valid pattern.
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// fs.create_dir("/logs")?;
    /// fs.write("/logs/app.log.1.gz", [0x1f, 0x8b, 8, 0])?;
    /// let text = dmemfs_test::RenderOptions::new().size_only("**/*.gz").render(&fs, "/")?;
    /// assert_eq!(text, "/\n└── logs/\n    └── app.log.1.gz (4 bytes)\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn size_only(self, glob: &str) -> RenderOptions {
        self.view(glob, View::Size)
    }

    /// Shows files matching `glob` by the SHA-256 of their contents only (its first 16 hex
    /// digits), without size or contents: `image.png (sha256 3f2a9c0e81b7d6a4)`. Globs as in
    /// [`size_only`](Self::size_only).
    ///
    /// # Panics
    /// If `glob` is not a valid pattern.
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// fs.write("/logo.png", [0x89, b'P', b'N', b'G'])?;
    /// let text = dmemfs_test::RenderOptions::new().digest_only("*.png").render(&fs, "/")?;
    /// assert_eq!(text, "/\n└── logo.png (sha256 0f4636c78f65d363)\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn digest_only(self, glob: &str) -> RenderOptions {
        self.view(glob, View::Digest)
    }

    /// Shows files matching `glob` through `render`, which turns their contents into the text
    /// to show (decompressed, decoded, pretty-printed, ...). The file's line names `label`
    /// instead of its size, so a snapshot does not change when only the encoding does; the
    /// text is shown like a text file's contents (and hidden with
    /// [`contents(false)`](Self::contents)). Globs as in [`size_only`](Self::size_only).
    ///
    /// # Panics
    /// If `glob` is not a valid pattern.
    ///
    /// ```
    /// use dmemfs_test::{MemFs, RenderOptions};
    ///
    /// let fs = MemFs::new();
    /// fs.write("/data.hex", "68690a")?;
    /// // A stand-in for a decompressor: hex-decode the file.
    /// let unhex = |bytes: &[u8]| -> String {
    ///     let text = std::str::from_utf8(bytes).unwrap_or_default();
    ///     let decoded: Vec<u8> = (0..text.len() / 2)
    ///         .filter_map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok())
    ///         .collect();
    ///     String::from_utf8_lossy(&decoded).into_owned()
    /// };
    /// let text = RenderOptions::new().render_with("*.hex", "hex-decoded", unhex).render(&fs, "/")?;
    /// assert_eq!(text, "/\n└── data.hex (hex-decoded)\n        hi\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn render_with(
        self,
        glob: &str,
        label: &str,
        render: impl Fn(&[u8]) -> String + Send + Sync + 'static,
    ) -> RenderOptions {
        let label = label.to_owned();
        self.view(
            glob,
            View::Custom {
                label,
                render: Arc::new(render),
            },
        )
    }

    #[track_caller]
    fn view(mut self, glob: &str, view: View) -> RenderOptions {
        self.views.0.push((pattern(glob), view));
        self
    }

    /// The line describing a file at `path` and the contents to show below it (before
    /// `contents(false)` is applied).
    pub(super) fn file_view<'c>(
        &self,
        path: &str,
        contents: &'c [u8],
    ) -> (String, Option<Cow<'c, [u8]>>) {
        let view = self.views.0.iter().find_map(|(glob, view)| {
            self_and_ancestors(path)
                .any(|p| glob.matches(p))
                .then_some(view)
        });
        match view {
            None => (self.describe(contents), Some(Cow::Borrowed(contents))),
            Some(View::Size) => (format!("{} bytes", contents.len()), None),
            Some(View::Digest) => (format!("sha256 {}", short_sha256(contents)), None),
            Some(View::Custom { label, render }) => (
                label.clone(),
                Some(Cow::Owned(render(contents).into_bytes())),
            ),
        }
    }
}

/// The first 16 hex digits of the SHA-256 of `contents`.
pub(super) fn short_sha256(contents: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(contents)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `a/b/c`, `a/b`, `a`: a directory's glob covers the files below it.
fn self_and_ancestors(path: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(path), |p| p.rfind('/').map(|i| &p[..i]))
}
