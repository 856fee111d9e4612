// Every package suite under one describe that owns the simulator's lifetime; imported by
// ../esm.test.mjs and ../cjs.test.mjs, which choose the entry the package is loaded through.
import { after, before, describe } from "node:test";
import { ENTRY } from "../load.mjs";
import { startSim, stopSim } from "./fixtures.mjs";
import badinput from "./badinput.mjs";
import inspect from "./inspect.mjs";
import quickstart from "./quickstart.mjs";
import wire from "./wire.mjs";
import agent from "./agent.mjs";
import passphrase from "./passphrase.mjs";
import presign from "./presign.mjs";
import profiles from "./profiles.mjs";
import secrets from "./secrets.mjs";
import signers from "./signers.mjs";
import matrix from "./matrix.mjs";
import datacenterApi from "./datacenter-api.mjs";
import machineApi from "./machine-api.mjs";

describe(`smartdc-wasm package through ${ENTRY}`, () => {
  before(startSim);
  after(stopSim);
  quickstart();
  wire();
  badinput();
  inspect();
  passphrase();
  signers();
  agent();
  profiles();
  presign();
  secrets();
  matrix();
  datacenterApi();
  machineApi();
});
