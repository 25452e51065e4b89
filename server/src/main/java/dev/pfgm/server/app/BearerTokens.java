package dev.pfgm.server.app;

import static dev.pfgm.server.app.ConfigKey.AUTH_TOKENS;
import static dev.pfgm.server.app.ConfigKey.AUTH_TOKENS_FILE;

import dev.pfgm.server.app.Settings.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The bearer-token rules of auth-tokens and auth-tokens-file: RFC 6750 characters and a length
 * range; a file that holds no token is an error rather than "authentication off" (an empty
 * auth-tokens is refused as every empty list is). Token values are never echoed, only lengths.
 */
final class BearerTokens {

  /** RFC 6750 b64token characters. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

  private static final int MIN_TOKEN_CHARS = 16;
  private static final int MAX_TOKEN_CHARS = 4096;
  private static final String TOKEN_RULE =
      "must be "
          + MIN_TOKEN_CHARS
          + ".."
          + MAX_TOKEN_CHARS
          + " characters of A-Z a-z 0-9 - . _ ~ + / (then '=' padding)";

  private BearerTokens() {}

  /** The tokens of auth-tokens and auth-tokens-file together; empty when neither is set. */
  static Set<String> read(Settings settings, ConfigValues values) throws ConfigException {
    Set<String> tokens = new LinkedHashSet<>();
    Setting listed = settings.get(AUTH_TOKENS);
    List<String> items = values.list(AUTH_TOKENS);
    for (int i = 0; i < items.size(); i++) {
      checkToken(
          items.get(i), "auth-tokens: token " + (i + 1) + " of " + items.size(), listed.origin());
      tokens.add(items.get(i));
    }
    Path file = values.path(AUTH_TOKENS_FILE);
    if (file != null) {
      List<String> lines;
      try {
        lines = Files.readAllLines(file);
      } catch (IOException e) {
        throw settings.fail(AUTH_TOKENS_FILE, "must be a readable file (" + e.getMessage() + ")");
      }
      int inFile = 0;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (!line.isEmpty() && !line.startsWith("#")) {
          checkToken(line, "auth-tokens-file: the token on line " + (i + 1), "file " + file);
          tokens.add(line);
          inFile++;
        }
      }
      if (inFile == 0) {
        throw settings.fail(AUTH_TOKENS_FILE, "must hold at least one token");
      }
    }
    return tokens;
  }

  /** Token values are never echoed, only their length. */
  private static void checkToken(String token, String which, String origin) throws ConfigException {
    if (token.length() < MIN_TOKEN_CHARS
        || token.length() > MAX_TOKEN_CHARS
        || !TOKEN.matcher(token).matches()) {
      throw new ConfigException(
          which
              + " "
              + TOKEN_RULE
              + ", was "
              + token.length()
              + " characters"
              + (TOKEN.matcher(token).matches() ? "" : " with others among them")
              + " (from "
              + origin
              + ")");
    }
  }
}
