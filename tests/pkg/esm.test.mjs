// Runs every suite in suites/ against the package loaded through its Node `import` entry.
process.env.SMARTDC_ENTRY = "import";
await import("./suites/all.mjs");
