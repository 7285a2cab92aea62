/** The Slack-like server lives in local mode (the demo and `warden local invoke notify-slack` use it too). */
export {
  type FakeSlackOptions,
  type FakeSlackServer,
  type ReceivedRequest,
  reply,
  type SlackReply,
  startFakeSlackServer,
} from '../../cli/local/slack-capture-server.ts';
