// Strict, type-aware linting: promise misuse is the bug class that matters most in watch/wait code.
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      "examples/**",
      "coverage/**",
      ".readme-snippets/**",
      "**/*.js",
      "**/*.mjs",
    ],
  },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/return-await": ["error", "in-try-catch"],
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true },
      ],
      // Deps are plain objects of closures; passing their functions around is the design, not a bug.
      "@typescript-eslint/unbound-method": "off",
      // `() => log.push(x)` style callbacks read better than braces everywhere.
      "@typescript-eslint/no-confusing-void-expression": "off",
      // client-node's request bodies are generated model classes; plain object literals are how they are used.
      "@typescript-eslint/no-unsafe-class-instance-assignment": "off",
      // `const { __provider: _provider, ...rest } = props` drops a key on purpose.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { varsIgnorePattern: "^_", argsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ["tests/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-dynamic-delete": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      // Tests, the simulator and the ground handle untyped Kubernetes JSON on purpose.
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unnecessary-condition": "off",
      "@typescript-eslint/no-misused-spread": "off",
    },
  },
);
