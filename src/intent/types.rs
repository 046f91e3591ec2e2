//! What an intent model is taught: an [`Intent`] (an id, example phrases, keyword
//! triggers) and the labelled messages it is calibrated on.

/// An intent: what a message can want, taught by example phrases and keyword triggers.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Intent {
    /// Unique id, used in flows and reports ("pricing").
    pub id: String,
    /// Example phrases: what users say when they want this.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phrases: Vec<String>,
    /// Keyword triggers: words or short phrases that are strong evidence for this intent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
}

impl Intent {
    /// An intent with no phrases or keywords yet.
    pub fn new(id: impl Into<String>) -> Self {
        Intent {
            id: id.into(),
            ..Intent::default()
        }
    }

    /// Adds an example phrase.
    pub fn phrase(mut self, phrase: impl Into<String>) -> Self {
        self.phrases.push(phrase.into());
        self
    }

    /// Adds example phrases.
    pub fn phrases<I, S>(mut self, phrases: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.phrases.extend(phrases.into_iter().map(Into::into));
        self
    }

    /// Adds a keyword trigger.
    pub fn keyword(mut self, keyword: impl Into<String>) -> Self {
        self.keywords.push(keyword.into());
        self
    }

    /// Adds keyword triggers.
    pub fn keywords<I, S>(mut self, keywords: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.keywords.extend(keywords.into_iter().map(Into::into));
        self
    }
}

/// A labelled message for calibration: its text and its intent, `None` for "no intent".
pub type LabeledText = (String, Option<String>);
