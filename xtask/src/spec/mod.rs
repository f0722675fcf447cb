//! Spec files: their format, loading with source locations, and schema handling.

pub mod event_model;
pub mod load;
pub mod mock_model;
pub mod model;
pub mod pacing;
pub mod push_model;
pub mod schema;
