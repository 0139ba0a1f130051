#pragma once
// Models asked for JSON do not always answer with JSON alone: some wrap it in a ```json fence or
// add a sentence before it. json_object_in finds the one JSON object in such a text.
#include <boost/json/object.hpp>
#include <string_view>

#include "core/result.hpp"

namespace tg4::llm {

// The first complete JSON object in `text` (outside a fence or inside one). An Error says what was
// found instead: no object, one that does not parse (with the parser's message and offset), an
// empty text.
core::Result<boost::json::object> json_object_in(std::string_view text);

}  // namespace tg4::llm
