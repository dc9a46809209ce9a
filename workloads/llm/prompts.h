// The fixed prompt set of the agreement measurement (TinyStories-like story openings).
#pragma once

namespace nvr::llm {

inline constexpr const char* agreement_prompts[] = {
    "",
    "Once upon a time",
    "One day, a little boy named Tom",
    "The cat sat on the",
    "Lily and her mom went to the park",
    "There was a big red ball",
    "The sun was shining and the birds",
    "Sam was sad because",
};

}  // namespace nvr::llm
