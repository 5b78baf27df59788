//! Builder setters for the public option structs (which are `#[non_exhaustive]`: built from
//! their `Default` and these setters, so adding an option breaks no caller).

/// Writes `pub fn FIELD(mut self, FIELD: TYPE) -> Self` for each `FIELD: TYPE`, documented
/// as setting that field.
macro_rules! setters {
    ($($field:ident: $ty:ty),* $(,)?) => {
        $(
            #[doc = concat!("Sets [`Self::", stringify!($field), "`].")]
            pub fn $field(mut self, $field: $ty) -> Self {
                self.$field = $field;
                self
            }
        )*
    };
}

pub(crate) use setters;
