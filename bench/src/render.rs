//! Tree rendering (issue 12): every failure message and snapshot of dmemfs-test renders a
//! tree, so its time must grow with the tree, not with its square. Measured at two sizes of
//! a wide tree (files in one directory) and of a deep one (a chain of directories).
//!
//! ```
//! use dmemfs_bench::render::{Shape, render_time};
//! let time = render_time(Shape::Wide(100), 1)?;
//! assert!(time.as_nanos() > 0);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;
use std::time::{Duration, Instant};

use dmemfs_core::MemFs;
use dmemfs_test::RenderOptions;

/// The tree rendered.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// This many small text files in one directory.
    Wide(usize),
    /// A chain of this many directories, with a small file at the bottom.
    Deep(usize),
}

fn build(shape: Shape) -> io::Result<MemFs> {
    let fs = MemFs::new();
    match shape {
        Shape::Wide(files) => {
            fs.create_dir("/wide")?;
            for i in 0..files {
                fs.write(format!("/wide/f{i:06}.txt"), "x\n")?;
            }
        }
        Shape::Deep(levels) => {
            let chain: String = (0..levels).map(|_| "/d").collect();
            fs.create_dir_all(&chain)?;
            fs.write(format!("{chain}/leaf.txt"), "x\n")?;
        }
    }
    Ok(fs)
}

/// The fastest of `reps` renderings of `shape` (reading the tree and rendering it, as a
/// failure message does).
pub fn render_time(shape: Shape, reps: usize) -> io::Result<Duration> {
    let fs = build(shape)?;
    let mut best = Duration::MAX;
    for _ in 0..reps.max(1) {
        let started = Instant::now();
        let text = RenderOptions::new().render(&fs, "/")?;
        best = best.min(started.elapsed());
        std::hint::black_box(text);
    }
    Ok(best)
}
