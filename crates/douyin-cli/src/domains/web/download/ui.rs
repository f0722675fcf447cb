//! Progress of `douyin download`: bars per file and in total on a terminal (indicatif), plain lines for retries
//! otherwise; or, for a job of `douyin serve`, nothing printed and everything told to the job's sink.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use douyin_media::{Event, Fetched, Update};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::customize::JobSink;

/// Progress bars on a terminal, plain lines for retries otherwise; a job's sink instead of either.
pub(super) struct Ui<'a> {
    bars: Option<Bars>,
    sink: Option<&'a dyn JobSink>,
}

struct Bars {
    multi: MultiProgress,
    total: ProgressBar,
    items: Mutex<HashMap<usize, ProgressBar>>,
}

impl<'a> Ui<'a> {
    pub(super) fn new(items: usize) -> Ui<'a> {
        if !std::io::stderr().is_terminal() || items == 0 {
            return Ui {
                bars: None,
                sink: None,
            };
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let total = multi.add(ProgressBar::new(0));
        total.set_style(
            ProgressStyle::with_template(
                "total {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Ui {
            bars: Some(Bars {
                multi,
                total,
                items: Mutex::new(HashMap::new()),
            }),
            sink: None,
        }
    }

    /// A served job's progress: nothing printed.
    pub(super) fn job(sink: &'a dyn JobSink) -> Ui<'a> {
        Ui {
            bars: None,
            sink: Some(sink),
        }
    }

    pub(super) fn update(&self, u: &Update<'_>) {
        if let Some(sink) = self.sink {
            let o = &u.overall;
            sink.progress(o.done, o.items, o.bytes, o.total);
            return;
        }
        let Some(Bars {
            multi,
            total,
            items,
        }) = &self.bars
        else {
            if let Event::Retrying { mirror, reason, .. } = u.event {
                eprintln!(
                    "{}: mirror {} failed ({reason}), retrying",
                    u.label,
                    mirror + 1
                );
            }
            return;
        };
        total.set_length(u.overall.total);
        total.set_position(u.overall.bytes);
        total.set_message(format!("{}/{} files", u.overall.done, u.overall.items));
        let mut bars = items.lock().unwrap_or_else(|p| p.into_inner());
        match u.event {
            Event::Done | Event::Failed => {
                if let Some(bar) = bars.remove(&u.index) {
                    bar.finish_and_clear();
                    multi.remove(&bar);
                }
            }
            event => {
                let bar = bars.entry(u.index).or_insert_with(|| {
                    let bar = multi.insert_before(total, ProgressBar::new(0));
                    bar.set_style(
                        ProgressStyle::with_template(
                            "{prefix:32!} [{bar:30}] {bytes}/{total_bytes} {msg}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                    );
                    bar.set_prefix(u.label.to_owned());
                    bar
                });
                bar.set_length(u.total.unwrap_or(0));
                bar.set_position(u.bytes);
                if let Event::Retrying { mirror, reason, .. } = event {
                    bar.set_message(format!("mirror {} failed: {reason}", mirror + 1));
                }
            }
        }
    }

    /// A complete file: `text` printed, or `f` told to the job's sink.
    pub(super) fn fetched(&self, text: &str, f: &Fetched) {
        match self.sink {
            Some(sink) => sink.file(&f.path, f.size),
            None => self.line(text),
        }
    }

    /// Prints `text` on stderr above the bars (or as a plain line); nothing for a job.
    pub(super) fn line(&self, text: &str) {
        if self.sink.is_some() {
            return;
        }
        match &self.bars {
            Some(Bars { multi, .. }) => {
                if multi.println(text).is_err() {
                    eprintln!("{text}");
                }
            }
            None => eprintln!("{text}"),
        }
    }

    pub(super) fn finish(&self) {
        if let Some(Bars { multi, total, .. }) = &self.bars {
            total.finish_and_clear();
            let _ = multi.clear();
        }
    }
}
