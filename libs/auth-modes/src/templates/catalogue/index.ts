// One import per file in this folder; the schema test (templates.unit.test.ts) fails when one is missing.
import airtable from './airtable.json';
import anthropic from './anthropic.json';
import asana from './asana.json';
import atlassian from './atlassian.json';
import auth0 from './auth0.json';
import bitbucket from './bitbucket.json';
import box from './box.json';
import brevo from './brevo.json';
import calendly from './calendly.json';
import clickup from './clickup.json';
import cloudflare from './cloudflare.json';
import datadog from './datadog.json';
import digitalocean from './digitalocean.json';
import discord from './discord.json';
import docusign from './docusign.json';
import dropbox from './dropbox.json';
import figma from './figma.json';
import freshdesk from './freshdesk.json';
import github from './github.json';
import gitlab from './gitlab.json';
import google from './google.json';
import hubspot from './hubspot.json';
import intercom from './intercom.json';
import jiraApiToken from './jira-api-token.json';
import linear from './linear.json';
import mailchimp from './mailchimp.json';
import mailgun from './mailgun.json';
import microsoft from './microsoft.json';
import miro from './miro.json';
import mistral from './mistral.json';
import monday from './monday.json';
import notion from './notion.json';
import okta from './okta.json';
import openai from './openai.json';
import pagerduty from './pagerduty.json';
import pipedrive from './pipedrive.json';
import postmark from './postmark.json';
import quickbooks from './quickbooks.json';
import salesforce from './salesforce.json';
import segment from './segment.json';
import sendgrid from './sendgrid.json';
import sentry from './sentry.json';
import shopify from './shopify.json';
import slack from './slack.json';
import spotify from './spotify.json';
import stripe from './stripe.json';
import trello from './trello.json';
import twilio from './twilio.json';
import typeform from './typeform.json';
import vercel from './vercel.json';
import webflow from './webflow.json';
import xero from './xero.json';
import zendesk from './zendesk.json';
import zoom from './zoom.json';

/** The catalogue's files as parsed JSON, checked by the schema test, not here. */
export const CATALOGUE_FILES: Readonly<Record<string, unknown>> = {
  'airtable': airtable,
  'anthropic': anthropic,
  'asana': asana,
  'atlassian': atlassian,
  'auth0': auth0,
  'bitbucket': bitbucket,
  'box': box,
  'brevo': brevo,
  'calendly': calendly,
  'clickup': clickup,
  'cloudflare': cloudflare,
  'datadog': datadog,
  'digitalocean': digitalocean,
  'discord': discord,
  'docusign': docusign,
  'dropbox': dropbox,
  'figma': figma,
  'freshdesk': freshdesk,
  'github': github,
  'gitlab': gitlab,
  'google': google,
  'hubspot': hubspot,
  'intercom': intercom,
  'jira-api-token': jiraApiToken,
  'linear': linear,
  'mailchimp': mailchimp,
  'mailgun': mailgun,
  'microsoft': microsoft,
  'miro': miro,
  'mistral': mistral,
  'monday': monday,
  'notion': notion,
  'okta': okta,
  'openai': openai,
  'pagerduty': pagerduty,
  'pipedrive': pipedrive,
  'postmark': postmark,
  'quickbooks': quickbooks,
  'salesforce': salesforce,
  'segment': segment,
  'sendgrid': sendgrid,
  'sentry': sentry,
  'shopify': shopify,
  'slack': slack,
  'spotify': spotify,
  'stripe': stripe,
  'trello': trello,
  'twilio': twilio,
  'typeform': typeform,
  'vercel': vercel,
  'webflow': webflow,
  'xero': xero,
  'zendesk': zendesk,
  'zoom': zoom,
};
