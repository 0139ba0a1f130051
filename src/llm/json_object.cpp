#include "llm/json_object.hpp"

#include <boost/json/parser.hpp>
#include <string>

namespace tg4::llm {

namespace {

// A short, one-line quote of model output for an error message.
std::string quote_of(std::string_view text, std::size_t limit = 80) {
  std::string out;
  for (const char c : text.substr(0, limit)) {
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  if (text.size() > limit) out += "...";
  return out;
}

// Where the object opening at `open` ends (one past its closing brace), braces inside strings not
// counted; npos when the text ends first.
std::size_t object_end(std::string_view text, std::size_t open) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = open; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// The body of the first ``` fence (```json or plain), or the whole text when there is none; an
// unclosed fence (a truncated answer) runs to the end.
std::string_view fenced_or_whole(std::string_view text, std::size_t& base) {
  base = 0;
  const std::size_t fence = text.find("```");
  if (fence == std::string_view::npos) return text;
  const std::size_t line_end = text.find('\n', fence);
  if (line_end == std::string_view::npos) return text;
  const std::size_t close = text.find("```", line_end);
  // A fence that holds no object (an example before the answer) does not hide one outside it.
  const std::string_view inside =
      text.substr(line_end + 1,
                  close == std::string_view::npos ? std::string_view::npos : close - line_end - 1);
  if (inside.find('{') == std::string_view::npos) return text;
  base = line_end + 1;
  return inside;
}

}  // namespace

core::Result<boost::json::object> json_object_in(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return core::Error::of("no JSON object: the answer is empty");
  }
  std::size_t base = 0;
  const std::string_view scope = fenced_or_whole(text, base);

  boost::json::parse_options options;
  options.allow_comments = true;  // models annotate their JSON now and then
  options.allow_trailing_commas = true;
  std::string first_problem;
  std::size_t from = 0;
  while (true) {
    const std::size_t open = scope.find('{', from);
    if (open == std::string_view::npos) break;
    const std::size_t end = object_end(scope, open);
    if (end == std::string_view::npos) {
      if (first_problem.empty()) {
        first_problem = "the JSON object at offset " + std::to_string(base + open) +
                        " never closes (the answer may have been cut off): '" +
                        quote_of(scope.substr(open)) + "'";
      }
      break;
    }
    const std::string_view candidate = scope.substr(open, end - open);
    boost::json::parser parser({}, options);
    boost::system::error_code ec;
    const std::size_t used = parser.write(candidate.data(), candidate.size(), ec);
    if (!ec) {
      boost::json::value value = parser.release();
      if (value.is_object()) return std::move(value.as_object());
    }
    if (first_problem.empty()) {
      first_problem = "the JSON object at offset " + std::to_string(base + open) +
                      " does not parse: " + ec.message() + " at offset " +
                      std::to_string(base + open + used) + ": '" + quote_of(candidate) + "'";
    }
    // A broken object's inner objects are not the answer: look after it, not inside it.
    from = end;
  }
  if (!first_problem.empty()) return core::Error::of(std::move(first_problem));
  return core::Error::of("no JSON object in the answer: '" + quote_of(text) + "'");
}

}  // namespace tg4::llm
