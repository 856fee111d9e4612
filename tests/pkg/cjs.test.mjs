// Runs every suite in suites/ against the package loaded through its Node `require` entry.
process.env.SMARTDC_ENTRY = "require";
await import("./suites/all.mjs");
