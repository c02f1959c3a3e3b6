// Runs Perspective's npm client (perspective-api-client 3.1.0) against a threadwise server.
// The client posts to its hard-coded Perspective URL through the axios module it requires; an axios
// request interceptor swaps that base URL for the server's, which is all a newsroom changes.
// Usage: node analyze.js BASE_URL API_KEY TEXT  → prints the client's result (or its error) as JSON.
'use strict';
const axios = require('axios');
const Perspective = require('perspective-api-client');

const [base, apiKey, text] = process.argv.slice(2);
axios.interceptors.request.use(config => {
  config.url = config.url.replace('https://commentanalyzer.googleapis.com', base);
  return config;
});

const client = new Perspective({apiKey});
client.analyze(text, {attributes: ['toxicity', 'insult'], doNotStore: true})
  .then(result => console.log(JSON.stringify({ok: true, result})))
  .catch(error => console.log(JSON.stringify({ok: false, name: error.name, message: error.message,
                                              status: error.response && error.response.status})));
