// Times AWS's own JavaScript validator (npm package sns-validator, from
// github.com/aws/aws-js-sns-message-validator) on the messages that
// `python -m bench peers` wrote to DIR, and the bare RSA check in Node beside it.
//
// Usage: node aws_js_validator.js DIR   (DIR/node_modules holds sns-validator)
//
// The validator fetches each certificate URL with https.get once and keeps the
// PEM text in memory; here https.get answers from DIR/certificate.pem, so no
// request leaves the machine and every timed message finds its certificate
// cached, as in snsreceiver's own benchmark. Prints one line of JSON.
"use strict";

const crypto = require("crypto");
const { EventEmitter } = require("events");
const fs = require("fs");
const https = require("https");
const path = require("path");

const ROUNDS = 7;
const ROUND_SECONDS = 0.5;

const dir = process.argv[2];
const bodies = JSON.parse(fs.readFileSync(path.join(dir, "messages.json"), "utf8"));
const pem = fs.readFileSync(path.join(dir, "certificate.pem"), "utf8");

let fetches = 0;
https.get = (url, onResponse) => {
  fetches += 1;
  const response = new EventEmitter();
  response.statusCode = 200;
  onResponse(response);
  process.nextTick(() => {
    response.emit("data", Buffer.from(pem));
    response.emit("end");
  });
  return new EventEmitter();
};

const MessageValidator = require(path.join(dir, "node_modules", "sns-validator"));
const validator = new MessageValidator();

function validateAll() {
  for (const body of bodies) {
    // With the certificate cached, the validator answers before returning.
    let answered = false;
    validator.validate(body, (error) => {
      if (error) throw error;
      answered = true;
    });
    if (!answered) throw new Error("the certificate was not cached");
  }
  return bodies.length;
}

// The same check as the validator's last step, with the key parsed once.
const key = crypto.createPublicKey(pem);
const first = JSON.parse(bodies[0]);
const signed = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
  .map((name) => `${name}\n${first[name]}\n`)
  .join("");
const data = Buffer.from(signed, "utf8");
const signature = Buffer.from(first.Signature, "base64");

function rsaAll() {
  for (let i = 0; i < bodies.length; i += 1) {
    if (!crypto.verify("sha1", data, key, signature)) throw new Error("bad signature");
  }
  return bodies.length;
}

function perSecond(batch) {
  const start = process.hrtime.bigint();
  let count = 0;
  let elapsed = 0;
  while (elapsed < ROUND_SECONDS) {
    count += batch();
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return count / elapsed;
}

validator.validate(bodies[0], (error) => {
  if (error) throw error;
  let raw = 0;
  let validated = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    raw = Math.max(raw, perSecond(rsaAll));
    validated = Math.max(validated, perSecond(validateAll));
  }
  const result = { runtime: `Node ${process.version}`, raw, validated, fetches };
  console.log(JSON.stringify(result));
});
