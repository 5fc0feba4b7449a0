#pragma once
// An interned, immutable name: a host, a peer or a protocol in a trace event. Equal texts share
// one copy that lives as long as the process, so a Name is a pointer and a length: copying one
// allocates nothing, and an event that names the same hosts as thousands of others costs no
// heap memory for them. A Name reads like the text it holds: it is a std::string_view (compare
// it, print it, search it) and converts to `const std::string&` where one is wanted.

#include <string>
#include <string_view>
#include <utility>

namespace mailhop::core {

class Name : public std::string_view {
 public:
  Name() : std::string_view(empty_text()) {}
  explicit Name(std::string_view text) : std::string_view(intern(text)) {}
  explicit Name(const std::string& text) : Name(std::string_view(text)) {}
  explicit Name(const char* text) : Name(std::string_view(text)) {}

  Name& operator=(std::string_view text) { return *this = Name(text); }
  Name& operator=(const std::string& text) { return *this = Name(text); }
  Name& operator=(const char* text) { return *this = Name(text); }

  // The text, NUL-terminated.
  const char* c_str() const { return data(); }
  // The pooled string holding the text (valid for the life of the process).
  const std::string& str() const;
  operator const std::string&() const { return str(); }  // NOLINT: reads as a string
  std::string to_string() const { return str(); }

 private:
  static std::string_view intern(std::string_view text);
  static std::string_view empty_text();
};

// Concatenation, as with the string the name used to be.
inline std::string operator+(const std::string& a, const Name& b) { return a + b.str(); }
inline std::string operator+(std::string&& a, const Name& b) { return std::move(a) + b.str(); }
inline std::string operator+(const Name& a, const std::string& b) { return a.str() + b; }
inline std::string operator+(const Name& a, std::string&& b) { return a.str() + std::move(b); }
inline std::string operator+(const char* a, const Name& b) { return a + b.str(); }
inline std::string operator+(const Name& a, const char* b) { return a.str() + b; }
inline std::string operator+(char a, const Name& b) { return a + b.str(); }
inline std::string operator+(const Name& a, char b) { return a.str() + b; }
inline std::string operator+(const Name& a, const Name& b) { return a.str() + b.str(); }

}  // namespace mailhop::core
