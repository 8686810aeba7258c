# syntax=docker/dockerfile:1
# One image per service:  docker build --build-arg APP=<name> -t credential-broker/<name> .
# APP: gateway | connector-config | oauth-authorization | token-issuance | token-refresh | database-roles | sandbox-provider
# Only package files, tsconfig, nest-cli.json, apps/ and libs/ are copied: no .dockerignore is needed.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs libs
COPY apps apps
ARG APP=gateway
# One `nest build` compiles every app and lib (tsconfig.build.json covers the repository).
# The sandbox provider is plain ESM run from source and needs oidc-provider, a devDependency.
RUN mkdir -p dist && if [ "$APP" != sandbox-provider ]; then npx nest build "$APP" && npm prune --omit=dev --no-audit --no-fund; fi

FROM node:20-bookworm-slim
ARG APP=gateway
ENV APP=$APP NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/apps/sandbox-provider apps/sandbox-provider
COPY --from=build /app/apps/gateway/ui-assets apps/gateway/ui-assets
USER node
# docker-compose.yml sets the command per service; this default runs the built app.
CMD ["sh", "-c", "exec node dist/apps/$APP/src/main.js"]
