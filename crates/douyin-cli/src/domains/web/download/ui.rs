//! Progress of `douyin download`: bars per file and in total on a terminal (indicatif), plain lines for retries
//! otherwise.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use douyin_media::{Event, Update};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress bars on a terminal, plain lines for retries otherwise.
pub(super) struct Ui {
    bars: Option<Bars>,
}

struct Bars {
    multi: MultiProgress,
    total: ProgressBar,
    items: Mutex<HashMap<usize, ProgressBar>>,
}

impl Ui {
    pub(super) fn new(items: usize) -> Ui {
        if !std::io::stderr().is_terminal() || items == 0 {
            return Ui { bars: None };
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
        }
    }

    pub(super) fn update(&self, u: &Update<'_>) {
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

    /// Prints `text` on stderr above the bars (or as a plain line).
    pub(super) fn line(&self, text: &str) {
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
